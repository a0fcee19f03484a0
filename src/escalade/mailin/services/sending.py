"""What goes out in an incident's thread: acknowledgments and notes to the requester."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from escalade.core.errors import Conflict
from escalade.core.i18n import in_language, product_language
from escalade.incidents.errors import IncidentError
from escalade.incidents.events import NoteAdded
from escalade.incidents.models import Incident
from escalade.notifications import services as notify

from ..choices import Direction, Kind, State, Via
from ..models import Attachment, Mailbox, Message

log = logging.getLogger("escalade.mailin")


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
    lang = (
        (last_in.language if last_in else "") or incident.requester_language or product_language()
    )
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


def incident_merged(event) -> None:
    """Subscriber of incident.merged: the merged incident's e-mails and attachments move
    to the one kept (a reply in the old thread then lands there), in the merge's
    transaction."""
    Message.objects.filter(incident=event.incident).update(incident=event.kept)
    Attachment.objects.filter(incident=event.incident).update(incident=event.kept)
