"""Every write of the mailboxes. A message received (by the IMAP collector or the mail
gateway) becomes a new incident, a reply on one, a handler's work, or a rejection kept
with its reason; acknowledgments and staff's notes go out in the incident's thread.

The message's Message-ID is its key: a message read twice (a crash between storing it
and moving it out of the folder) is taken once. Nothing of a message's text or
attachments goes to a log line."""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field

import imap_tools
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.models import Profile
from escalade.accounts.services import require, system_user
from escalade.catalog.models import Contact
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Conflict, Invalid, NotFound
from escalade.core.i18n import in_language, pick, product_language
from escalade.incidents import services as incidents
from escalade.incidents.choices import Channel
from escalade.incidents.errors import IncidentError
from escalade.incidents.events import NoteAdded
from escalade.incidents.models import Incident
from escalade.notifications import services as notify

from . import authenticity, handlers, rules
from .choices import Direction, Kind, OnClosed, Security, State, Via
from .errors import MailError
from .models import Attachment, Mailbox, Message

log = logging.getLogger("escalade.mailin")

ELSEWHERE = gettext_lazy("This mailbox belongs to another institution.")


class Refused(Exception):
    """The message is refused for what it carries (an attachment too large or
    dangerous): rejected, and its sender told once."""

    def __init__(self, code: str, message, params: dict):
        super().__init__(code)
        self.code, self.message, self.params = code, message, params

    @property
    def reason(self) -> str:
        """In the active language (the sender's, when they are told)."""
        return str(self.message) % self.params


# -- receiving -------------------------------------------------------------------------


def receive(
    mailbox: Mailbox, raw: bytes, *, via: str, uid: int | None = None, tell=True
) -> Message:
    """Take one message for `mailbox`: the row that records what became of it. The same
    message twice returns the first row. A message's own faults reject it (kept, with
    the reason); a database fault raises, and the message waits in its folder."""
    try:
        parsed = rules.parse(raw)
    except rules.Malformed as exc:
        parsed, problem = None, exc
    key = rules.message_key(raw, parsed.message_id if parsed else "")
    existing = _taken(mailbox, key)
    if existing is not None:
        existing.again = True
        return existing
    if parsed is None:
        return _reject(mailbox, raw, key, via, uid, None, MailError.MALFORMED, str(problem), tell)
    rule = rules.matching_rule(mailbox.rules, parsed.sender, parsed.subject)
    verdict = _verdict(raw, rule)
    try:
        with transaction.atomic():
            message = _take(mailbox, raw, parsed, key, via, uid, rule, verdict)
            Mailbox.objects.filter(pk=mailbox.pk).update(taken=F("taken") + 1)
            return message
    except IntegrityError:
        existing = _taken(mailbox, key)  # another process took it at the same moment
        if existing is not None:
            existing.again = True
            return existing
        raise
    except Refused as exc:
        return _reject(mailbox, raw, key, via, uid, parsed, exc.code, exc, tell)
    except (Invalid, Conflict) as exc:
        reason = "; ".join(f"{e['field']}: {e['message']}" for e in exc.as_errors())
        return _reject(mailbox, raw, key, via, uid, parsed, MailError.NOT_TAKEN, reason, False)


def _taken(mailbox: Mailbox, key: str) -> Message | None:
    return (
        Message.objects.filter(
            institution=mailbox.institution_id, direction=Direction.IN, message_id=key
        )
        .defer("raw")
        .order_by()
        .first()
    )


def _row(mailbox, raw, key, via, uid, parsed, **values) -> Message:
    return Message.objects.create(
        institution_id=mailbox.institution_id,
        mailbox=mailbox,
        direction=Direction.IN,
        via=via,
        message_id=key,
        uid=uid,
        raw=raw,
        size=len(raw),
        sender=parsed.sender if parsed else "",
        sender_name=parsed.sender_name if parsed else "",
        to=parsed.to if parsed else [],
        subject=parsed.subject if parsed else "",
        in_reply_to=parsed.in_reply_to if parsed else "",
        references=" ".join(parsed.references) if parsed else "",
        **values,
    )


def _verdict(raw: bytes, rule: rules.Rule | None) -> authenticity.Verdict:
    """Where the message comes from (DNS may be asked: before any transaction opens)."""
    return authenticity.verify(
        raw,
        trusted_relays=settings.ESCALADE_MAIL_TRUSTED_RELAYS,
        dns_server=settings.ESCALADE_MAIL_DNS,
        pinned_keys=rule.dkim_keys if rule is not None else None,
    )


def _take(
    mailbox: Mailbox, raw: bytes, parsed: rules.Parsed, key, via, uid, rule, verdict
) -> Message:
    institution = mailbox.institution
    if parsed.automatic:  # RFC 3834: no incident, no answer, no loop
        return _row(
            mailbox, raw, key, via, uid, parsed, state=State.IGNORED, reason_code=parsed.automatic
        )
    if rule is not None and rule.authenticated and not verdict.passed:
        # a forged or unverifiable message on a rule that trusts its sender: kept for the
        # record (no bytes, no text), never acted on, its sender never answered
        log.warning(
            "mailbox %s held a message claiming %s: %s",
            mailbox.code,
            verdict.domain,
            verdict.result,
        )
        return _row(
            mailbox,
            b"",
            key,
            via,
            uid,
            parsed,
            state=State.HELD,
            rule=rule.code,
            authentication=verdict.result,
            reason_code=MailError.NOT_AUTHENTICATED,
            reason=_held_reason(rule, verdict),
        )
    if rule is not None and rule.action == "drop":
        return _row(
            mailbox,
            raw,
            key,
            via,
            uid,
            parsed,
            state=State.DROPPED,
            rule=rule.code,
            reason=pick(rule.reason, product_language()),
        )
    if rule is not None and rule.action == "handler":
        handler = handlers.get(rule.handler)
        if handler is None:
            raise Refused(MailError.NO_HANDLER, "no handler '%(name)s'", {"name": rule.handler})
        # the handler keeps what it needs: neither the bytes nor the text stay here
        message = _row(
            mailbox,
            b"",
            key,
            via,
            uid,
            parsed,
            state=State.ROUTED,
            rule=rule.code,
            authentication=verdict.result,
        )
        message.size = len(raw)
        message.reason = str(handler(mailbox, parsed, message, rule.options) or "")[:2000]
        message.save(update_fields=["reason", "size"])
        return message
    _check_attachments(parsed)
    person = _person(institution, parsed.sender)
    lang = rules.language(parsed.language_header, parsed.text, person.language)
    incident = _thread_of(institution, parsed)
    if incident is not None and (incident.is_open or mailbox.on_closed == OnClosed.REOPEN):
        incidents.requester_replied(incident, "", sender=parsed.sender, reopen=True)
        message = _row(
            mailbox,
            raw,
            key,
            via,
            uid,
            parsed,
            state=State.THREADED,
            authentication=verdict.result,
            incident=incident,
            text=parsed.text,
            language=lang,
        )
        _store_attachments(message, parsed, incident)
        return message
    symptom = rules.symptom_for(f"{parsed.subject}\n{parsed.text}", _keywords(institution))
    data = incidents.IncidentInput(
        channel=Channel.EMAIL,
        requester_name=(parsed.sender_name or person.name or parsed.sender)[:200],
        requester_role=mailbox.requester_role,
        requester_site=person.site or mailbox.site,
        requester_phone=person.phone,
        requester_email=parsed.sender,
        symptom=symptom or mailbox.unclassified_symptom,
        to_classify=not symptom,
        summary=(parsed.subject or _("(no subject)"))[:200],
        # the text may name a patient: it stays with the message, read by the roles
        # allowed to see personal health information (mailin/selectors.readable_thread)
        description="",
        level=rule.level if rule is not None else 1,
        follows=incident,
    )
    new = incidents.log_incident(system_user(institution), institution, data)
    message = _row(
        mailbox,
        raw,
        key,
        via,
        uid,
        parsed,
        state=State.OPENED,
        authentication=verdict.result,
        incident=new,
        text=parsed.text,
        language=lang,
        rule=rule.code if rule is not None else "",
    )
    _store_attachments(message, parsed, new)
    if mailbox.acknowledge and not verdict.failed:
        # no answer to a message that failed authentication: its From is likely forged,
        # and the answer would go to someone who never wrote (backscatter)
        _acknowledge(mailbox, new, message, lang or product_language())
    return message


def _held_reason(rule: rules.Rule, verdict: authenticity.Verdict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Held, not acted on: the rule %(rule)s takes only a message authenticated as "
            "coming from %(domain)s (%(detail)s)."
        ) % {"rule": rule.code, "domain": verdict.domain or "?", "detail": verdict.detail}


def _check_attachments(parsed: rules.Parsed) -> None:
    limit = settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES
    refused = frozenset(settings.ESCALADE_MAIL_REFUSED_EXTENSIONS)
    if len(parsed.attachments) > settings.ESCALADE_MAIL_MAX_ATTACHMENTS:
        raise Refused(
            MailError.TOO_MANY_ATTACHMENTS,
            gettext_lazy("%(count)s attachments: at most %(max)s are taken."),
            {"count": len(parsed.attachments), "max": settings.ESCALADE_MAIL_MAX_ATTACHMENTS},
        )
    for part in parsed.attachments:
        why = rules.refused_attachment(part, limit, refused)
        if why == "too_large":
            raise Refused(
                MailError.ATTACHMENT_TOO_LARGE,
                gettext_lazy("The attachment %(name)s is %(size)s MB: the limit is %(max)s MB."),
                {
                    "name": part.filename,
                    "size": f"{part.size / 1_000_000:.1f}",
                    "max": f"{limit / 1_000_000:g}",
                },
            )
        if why:
            raise Refused(
                MailError.DANGEROUS_ATTACHMENT,
                gettext_lazy("The attachment %(name)s is of a type that is refused (%(type)s)."),
                {"name": part.filename, "type": part.content_type},
            )


def _store_attachments(message: Message, parsed: rules.Parsed, incident: Incident) -> None:
    Attachment.objects.bulk_create(
        [
            Attachment(
                message=message,
                incident=incident,
                filename=p.filename,
                content_type=p.content_type[:100],
                size=p.size,
                sha256=p.sha256,
                data=p.data,
            )
            for p in parsed.attachments
        ]
    )


@dataclass
class Person:
    """What the institution knows of a sender."""

    name: str = ""
    site: str = ""
    phone: str = ""
    language: str = ""


def _person(institution, address: str) -> Person:
    """What the institution knows of the sender: a catalogue contact, else a user."""
    contact = (
        Contact.objects.filter(organisation__institution=institution, email__iexact=address)
        .select_related("organisation")
        .first()
    )
    if contact is not None:
        # the site as the contact writes it, in their language
        site = pick(contact.organisation.name, contact.language)[:200]
        return Person(contact.name, site, contact.phone, contact.language)
    user = (
        get_user_model()
        .objects.filter(email__iexact=address, memberships__institution=institution)
        .first()
    )
    if user is not None:
        profile = Profile.objects.filter(user=user).first()
        return Person(user.get_full_name(), "", "", profile.language if profile else "")
    return Person()


def _keywords(institution) -> dict:
    return {
        code: c.keywords for code, c in incidents.symptoms_of(institution).items() if c.keywords
    }


def _thread_of(institution, parsed: rules.Parsed) -> Incident | None:
    """The incident a message answers: by the Message-IDs it names (one Escalade sent or
    received), else by the number in its subject when the sender is its requester."""
    ids = rules.thread_ids(parsed)
    if ids:
        known = (
            Message.objects.filter(institution=institution, message_id__in=ids[:50])
            .exclude(incident=None)
            .select_related("incident")
            .order_by("-at")
            .first()
        )
        if known is not None:
            return known.incident
    number = rules.number_in(parsed.subject, institution.request_prefix)
    if number:
        incident = Incident.objects.filter(institution=institution, number=number).first()
        if incident is not None and incident.requester_email == parsed.sender:
            return incident
    return None


def _reject(mailbox, raw, key, via, uid, parsed, code, why, tell) -> Message:
    """Keep the message as rejected, with the reason (in the product's language); tell
    its sender, in theirs, when what it carries was refused."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = why.reason if isinstance(why, Refused) else str(why)
    with transaction.atomic():
        existing = _taken(mailbox, key)
        if existing is not None:
            return existing
        message = _row(
            mailbox,
            raw,
            key,
            via,
            uid,
            parsed,
            state=State.REJECTED,
            reason_code=str(code),
            reason=reason[:2000],
        )
        Mailbox.objects.filter(pk=mailbox.pk).update(rejected=F("rejected") + 1)
        # The sender is told why, once (this row exists once), unless a machine wrote it.
        if (
            tell
            and parsed is not None
            and not parsed.automatic
            and code
            in (
                MailError.ATTACHMENT_TOO_LARGE,
                MailError.DANGEROUS_ATTACHMENT,
                MailError.TOO_MANY_ATTACHMENTS,
            )
        ):
            lang = rules.language(parsed.language_header, parsed.text) or product_language()
            with in_language(lang):
                _send(
                    mailbox,
                    incident=None,
                    to=parsed.sender,
                    subject=_("Your message was not taken: %(subject)s")
                    % {"subject": parsed.subject or _("(no subject)")},
                    body=_(
                        "Hello,\n\nYour message « %(subject)s » was not taken by %(mailbox)s:\n"
                        "%(reason)s\n\nSend it again without this attachment, or call the "
                        "service desk.\n\nThis message was sent automatically."
                    )
                    % {
                        "subject": parsed.subject or _("(no subject)"),
                        "mailbox": mailbox.label_text,
                        "reason": why.reason,
                    },
                    kind=Kind.REFUSAL,
                    answering=message,
                    automatic=True,
                )
    log.info("mailbox %s rejected message %s: %s", mailbox.code, message.pk, code)
    return message


# -- sending in the thread -------------------------------------------------------------


def _send(
    mailbox, *, incident, to, subject, body, kind, answering=None, automatic=False, actor=None
):
    """Queue one e-mail from `mailbox` and record it in the thread: In-Reply-To the
    message answered, References the whole conversation."""
    thread = []
    if incident is not None:
        thread = list(
            Message.objects.filter(incident=incident)
            .order_by("at", "id")
            .values_list("message_id", flat=True)
        )
    if answering is not None and answering.message_id not in thread:
        thread.append(answering.message_id)
    in_reply_to = answering.message_id if answering is not None else (thread[-1] if thread else "")
    headers = {}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(thread[-20:])
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: no robot answers this
        headers["X-Auto-Response-Suppress"] = "All"
    mail = notify.send_mail(
        [to], str(subject), str(body), from_email=mailbox.address, headers=headers
    )
    return Message.objects.create(
        institution_id=mailbox.institution_id,
        mailbox=mailbox,
        direction=Direction.OUT,
        via=Via.ESCALADE,
        kind=kind,
        message_id=notify.message_id(mail),
        in_reply_to=in_reply_to,
        references=headers.get("References", ""),
        sender=mailbox.address,
        to=[to],
        subject=mail.subject,
        text=str(body),
        state=State.SENT,
        incident=incident,
        outgoing=mail,
        by=actor,
    )


def _acknowledge(mailbox: Mailbox, incident: Incident, message: Message, lang: str) -> None:
    with in_language(lang):
        _send(
            mailbox,
            incident=incident,
            to=message.sender,
            subject=f"[{incident.number}] {incident.summary}",
            body=_(
                "Hello,\n\nYour request « %(summary)s » was received by %(mailbox)s. Its number "
                "is %(number)s: give it if you call us, and keep it in the subject if you "
                "write to us again about it.\n\nWe will answer you in this conversation."
                "\n\nThis message was sent automatically."
            )
            % {
                "summary": incident.summary,
                "mailbox": mailbox.label_text,
                "number": incident.number,
            },
            kind=Kind.ACKNOWLEDGMENT,
            answering=message,
            automatic=True,
        )


def _mailbox_of(incident: Incident) -> Mailbox | None:
    first = (
        Message.objects.filter(incident=incident, direction=Direction.IN)
        .exclude(mailbox=None)
        .select_related("mailbox")
        .order_by("at")
        .first()
    )
    if first is not None and first.mailbox.active:
        return first.mailbox
    return Mailbox.objects.filter(institution=incident.institution_id, active=True).first()


def note_added(event: NoteAdded) -> None:
    """Subscriber of incident.note_added: a note for the requester goes by e-mail in the
    incident's thread (from the mailbox the request came to), so their mail program shows
    one conversation. In the note's transaction: the note and its e-mail, or neither
    (no mailbox of the institution can send it: Conflict, and no note)."""
    if not event.to_requester:
        return
    incident, note = event.incident, event.note
    mailbox = _mailbox_of(incident)
    if mailbox is None:
        raise Conflict(
            _("No mailbox of this institution can send it: add one to its pack."),
            field="to_requester",
            code=IncidentError.NO_MAILBOX,
        )
    last_in = (
        Message.objects.filter(incident=incident, direction=Direction.IN)
        .order_by("-at", "-id")
        .first()
    )
    lang = (last_in.language if last_in else "") or product_language()
    with in_language(lang):
        subject = last_in.subject if last_in else incident.summary
        if incident.number not in subject:
            subject = f"[{incident.number}] {subject}"
        if not subject.lower().startswith(("re:", "ré:")):
            subject = f"Re: {subject}"
        _send(
            mailbox,
            incident=incident,
            to=incident.requester_email,
            subject=subject,
            body=note.text,
            kind=Kind.NOTE,
            answering=last_in,
            actor=event.actor,
        )


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
    return box.login(mailbox.imap_user, password, initial_folder=None)


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
        last_uid=Greatest(F("last_uid"), top), fetching_until=_lease()
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


# -- taking a rejected message again ----------------------------------------------------


def retake(actor, message: Message) -> Message:
    """Take a rejected message again (its mailbox's rules or limits have changed): what
    it becomes now, recorded as a new row; the sender is not told twice. Audited."""
    require(actor, perms.MAILBOX_RUN, message)
    with transaction.atomic():
        locked = Message.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None:
            raise NotFound(_("No such message."))
        if locked.state != State.REJECTED or not locked.raw or locked.mailbox is None:
            raise Conflict(
                _("Only a rejected message can be taken again."),
                code=MailError.NOT_REJECTED,
            )
        raw, mailbox, via, uid = bytes(locked.raw), locked.mailbox, locked.via, locked.uid
        audit.record(
            action=AuditAction.UPDATED,
            obj=mailbox,
            actor=actor,
            institution=mailbox.institution,
            data={"retaken": locked.pk, "reason": locked.reason_code},
        )
        locked.delete()
        return receive(mailbox, raw, via=via, uid=uid, tell=False)
