"""Notes on an incident's timeline: one written by a person (and sent to the requester
when asked), and the requester's reply by e-mail, which may reopen the incident."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid
from escalade.core.i18n import in_both
from escalade.notifications import services as notify

from ..choices import Status
from ..errors import IncidentError
from ..events import IncidentReopened, NoteAdded
from ..models import Incident, Note
from .common import ELSEWHERE, _locked, _save
from .lifecycle import _move


def add_note(actor, incident: Incident, text: str, *, to_requester: bool = False) -> Note:
    """Add a note to the incident's timeline (audited); Invalid (required) when empty.
    `to_requester`: the note is also for the requester (the NoteAdded subscriber of the
    mail app sends it by e-mail, in this transaction); the requester needs an e-mail
    address."""
    require(actor, perms.NOTE, incident, ELSEWHERE)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("A note cannot be empty."), field="text", code=Code.REQUIRED)
    if to_requester and not incident.requester_email:
        raise Conflict(
            _("The requester has no e-mail address: call them."),
            field="to_requester",
            code=IncidentError.NO_REQUESTER_EMAIL,
        )
    with transaction.atomic():
        incident = _locked(incident)
        note = Note.objects.create(
            incident=incident, author=actor, text=text, to_requester=to_requester
        )
        _save(incident, [])
        audit.record(
            action=AuditAction.NOTE_ADDED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            data={
                "note": note.pk,
                "text": text,
                **({"to_requester": True} if to_requester else {}),
            },
        )
        # to the requester: the mail app sends it in the incident's thread, or refuses
        # (no mailbox can send it) and the note is not written either
        events.publish(
            NoteAdded(incident=incident, actor=actor, note=note, to_requester=to_requester)
        )
    return note


REPLIED_BY_MAIL = gettext_lazy(
    "The requester replied by e-mail: the text is in the e-mails, shown to the roles allowed "
    "to see personal health information."
)


def requester_replied(incident: Incident, text: str, *, sender: str, reopen: bool) -> Note:
    """The requester answered (by e-mail): their text goes on the timeline as their note,
    a resolved or closed incident is reopened when `reopen`, and the assignees are told.
    No actor: the mailbox that recognised the reply made the call."""
    with transaction.atomic():
        incident = _locked(incident)
        if reopen and incident.status in (Status.RESOLVED, Status.CLOSED):
            incident = _move(
                None,
                incident,
                "reopen",
                refused=_("Only a resolved or closed incident can be reopened."),
                audit_action=AuditAction.REOPENED,
                values={"resolved_at": None, "closed_at": None},
                data={"reason": str(_("The requester replied by e-mail.")), "by": sender},
                load=+1,
                event=IncidentReopened,
                reason=str(_("The requester replied by e-mail.")),
            )
        # an e-mail's text stays with the message (restricted); the note says where it is
        note = Note.objects.create(
            incident=incident,
            author=None,
            text=text or " / ".join(in_both(REPLIED_BY_MAIL).values()),
            by_requester=True,
        )
        _save(incident, [])
        audit.record(
            action=AuditAction.NOTE_ADDED,
            obj=incident,
            actor=None,
            institution=incident.institution,
            data={"note": note.pk, "text": note.text, "by_requester": sender},
        )
        users = list(
            incident.assignments.filter(active=True, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        notify.to_users(
            get_user_model().objects.filter(pk__in=users),
            kind="requester_replied",
            params={"number": incident.number, "summary": incident.summary[:80]},
            link=f"/incidents/{incident.number}/",
        )
    return note
