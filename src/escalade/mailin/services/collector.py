"""The IMAP collector: one reader per mailbox at a time (a lease), each message taken
once, then moved out of the folder."""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field

import imap_tools
from django.conf import settings
from django.db.models import BigIntegerField, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core.errors import Conflict

from ..choices import Security, State, Via
from ..errors import MailError
from ..models import Mailbox
from .receiving import receive

log = logging.getLogger("escalade.mailin")


# -- the collector -----------------------------------------------------------------------


class _RawMessage(imap_tools.MailMessage):
    """imap-tools' message, keeping the bytes as the server gave them."""

    def __init__(self, fetch_data: list) -> None:
        super().__init__(fetch_data)
        self.raw = self._get_message_data_parts(fetch_data)[0]


_CLASSES = {
    Security.SSL: imap_tools.MailBox,
    Security.STARTTLS: imap_tools.MailBoxStartTls,
    Security.NONE: imap_tools.MailBoxUnencrypted,
}


@dataclass
class Fetched:
    """What one reading of a mailbox did."""

    taken: int = 0
    rejected: int = 0
    again: int = 0  # read before (a crash before the move): not taken twice
    busy: bool = False
    states: dict = field(default_factory=dict)


def _connect(mailbox: Mailbox):
    password = os.environ.get(mailbox.imap_password_env, "")
    if not password:
        raise Conflict(
            _("Set the environment variable %(name)s to the password of %(user)s.")
            % {"name": mailbox.imap_password_env or "?", "user": mailbox.imap_user},
            code=MailError.NO_PASSWORD,
        )
    cls = type("Box", (_CLASSES[mailbox.imap_security],), {"email_message_class": _RawMessage})
    box = cls(mailbox.imap_host, mailbox.imap_port, timeout=30)
    box.login(mailbox.imap_user, password, initial_folder=None)
    # The capabilities imaplib read before the login are the greeting's: servers (Dovecot)
    # name MOVE only once signed in. Without it a move is a copy then a delete, and a
    # collector killed between the two leaves the batch in both folders.
    typ, data = box.client.capability()
    if typ == "OK" and data and data[-1]:
        box.client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    return box


def _lease() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.ESCALADE_MAIL_FETCH_LEASE_SECONDS)


def _claim(mailbox: Mailbox) -> bool:
    """One collector per mailbox at a time, across processes: a lease in the row,
    renewed after each batch; a collector killed mid-run leaves it to expire."""
    now = timezone.now()
    return bool(
        Mailbox.objects.filter(pk=mailbox.pk)
        .filter(Q(fetching_until__isnull=True) | Q(fetching_until__lt=now))
        .update(fetching_until=_lease())
    )


def fetch(mailbox: Mailbox, *, limit: int = 1000) -> Fetched:
    """Read the mailbox's new messages from its IMAP folder: take each, then move it to
    the processed or rejected folder. A message stays in the folder until it is stored;
    one stored but not moved (a crash) is recognised by its Message-ID next time."""
    if not mailbox.collects:
        raise Conflict(
            _("Mailbox %(code)s is not read by IMAP (mail is forwarded to the gateway).")
            % {"code": mailbox.code},
            code=MailError.NOT_IMAP,
        )
    if not _claim(mailbox):
        return Fetched(busy=True)
    result = Fetched()
    error = ""
    try:
        with _connect(mailbox) as box:
            for folder in (mailbox.processed_folder, mailbox.rejected_folder):
                if not box.folder.exists(folder):
                    box.folder.create(folder)
            box.folder.set(mailbox.folder)
            validity = int(box.folder.status(mailbox.folder, ["UIDVALIDITY"])["UIDVALIDITY"])
            if validity != mailbox.uidvalidity:  # the folder was recreated: UIDs start over
                mailbox.uidvalidity, mailbox.last_uid = validity, 0
                Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
            criteria = imap_tools.AND(uid=imap_tools.U(mailbox.last_uid + 1, "*"))
            batch: list = []
            for msg in box.fetch(criteria, mark_seen=False, bulk=50, limit=limit):
                uid = int(msg.uid)
                if uid <= mailbox.last_uid:  # "N:*" answers the last message even below N
                    continue
                row = receive(mailbox, msg.raw, via=Via.IMAP, uid=uid)
                if getattr(row, "again", False):  # stored before, not moved: not twice
                    result.again += 1
                elif row.state == State.REJECTED:
                    result.rejected += 1
                else:
                    result.taken += 1
                result.states[row.state] = result.states.get(row.state, 0) + 1
                batch.append((uid, row.state == State.REJECTED))
                if len(batch) >= 50:
                    _move(box, mailbox, batch)
                    batch = []
            _move(box, mailbox, batch)
    except (imap_tools.errors.MailboxLoginError, OSError, imap_tools.errors.ImapToolsError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        raise Conflict(
            _("Mailbox %(code)s could not be read: %(error)s")
            % {"code": mailbox.code, "error": error},
            code=MailError.UNREACHABLE,
        ) from exc
    finally:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            fetching_until=None,
            last_fetch_at=timezone.now(),
            last_error=error,
            errors=F("errors") + (1 if error else 0),
        )
    log.info(
        "mailbox %s: %s taken, %s rejected, %s seen again",
        mailbox.code,
        result.taken,
        result.rejected,
        result.again,
    )
    return result


def _move(box, mailbox: Mailbox, batch: list) -> None:
    if not batch:
        return
    done = [str(uid) for uid, rejected in batch if not rejected]
    refused = [str(uid) for uid, rejected in batch if rejected]
    if done:
        box.move(done, mailbox.processed_folder)
    if refused:
        box.move(refused, mailbox.rejected_folder)
    top = max(uid for uid, _r in batch)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        # a bigint: IMAP's UIDs go to 4,294,967,295, and a bare int is sent to PostgreSQL
        # as a 4-byte integer, which wrapped those above 2,147,483,647
        last_uid=Greatest(F("last_uid"), Value(top, output_field=BigIntegerField())),
        fetching_until=_lease(),
    )
    mailbox.last_uid = max(mailbox.last_uid, top)


def fetch_all() -> dict[str, str]:
    """Fetch every active IMAP mailbox (the scheduled job); a mailbox that fails does
    not stop the others."""
    out = {}
    for mailbox in (
        Mailbox.objects.filter(active=True).exclude(imap_host="").select_related("institution")
    ):
        try:
            r = fetch(mailbox)
            out[mailbox.code] = "busy" if r.busy else f"{r.taken} taken, {r.rejected} rejected"
        except Conflict as exc:
            out[mailbox.code] = str(exc.as_errors()[0]["code"])
    return out


def fetch_now(actor, mailbox: Mailbox) -> Fetched:
    """Fetch one mailbox now, for a person allowed to run the mailboxes."""
    require(actor, perms.MAILBOX_RUN, mailbox)
    return fetch(mailbox)
