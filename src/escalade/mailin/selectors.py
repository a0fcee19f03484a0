"""Reads of the mailboxes shared by the pages and the API: their state, an incident's
thread, rejected messages, an attachment (permission checked and audited)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission, require
from escalade.core.errors import Forbidden, NotFound
from escalade.incidents import selectors as incident_selectors
from escalade.incidents.models import Incident

from .choices import Direction, State
from .models import Attachment, Mailbox, Message


def mailboxes(user, institution) -> QuerySet[Mailbox]:
    """The institution's mailboxes with their collector's state, for those who run them."""
    require(user, perms.MAILBOX_RUN, institution)
    return Mailbox.objects.filter(institution=institution).order_by("code")


def mailbox(user, institution, code: str) -> Mailbox:
    """One mailbox of the institution, or NotFound."""
    box = mailboxes(user, institution).select_related("institution").filter(code=code).first()
    if box is None:
        raise NotFound(_("No mailbox %(code)s.") % {"code": code}, field="code")
    return box


def rejected(user, institution, limit: int | None = 200) -> QuerySet[Message]:
    """The messages the institution's mailboxes rejected or held (a forged or unverifiable
    sender on a rule that asks for authentication), newest first, with the reason."""
    require(user, perms.MAILBOX_RUN, institution)
    return (
        Message.objects.filter(institution=institution, state__in=[State.REJECTED, State.HELD])
        .defer("raw", "text")
        .select_related("mailbox")
        .order_by("-at", "-id")
    )[:limit]


def rejected_message(user, institution, pk: int) -> Message:
    """One rejected message of the institution, or NotFound."""
    require(user, perms.MAILBOX_RUN, institution)
    message = (
        Message.objects.filter(institution=institution, pk=pk, state=State.REJECTED)
        .select_related("mailbox", "mailbox__institution")
        .first()
    )
    if message is None:
        raise NotFound(_("No rejected message #%(id)s.") % {"id": pk}, field="id")
    return message


def thread(incident: Incident) -> list[Message]:
    """The incident's e-mails, received and sent, oldest first, with their attachments.
    The caller has checked the reader may see the incident."""
    return list(
        Message.objects.filter(incident=incident)
        .prefetch_related("attachments")
        .defer("raw")
        .order_by("at", "id")
    )


def may_read_mail_text(user, where) -> bool:
    """Whether the user may read what requesters wrote (bodies and attachments of the
    e-mails received) at the institution `where` names (an incident, an institution):
    they name patients, so only the roles allowed there to see personal health
    information may."""
    return has_permission(user, perms.VIEW_PATIENT, where)


def readable_thread(user, incident: Incident) -> list[Message]:
    """The incident's e-mails as `user` may read them: for the roles allowed to see
    personal health information, whole; for the others, the
    received ones without their text and attachments (`restricted` set). The caller has
    checked the reader may see the incident; services.read_thread records the display."""
    messages = thread(incident)
    received = [m for m in messages if m.direction == Direction.IN]
    allowed = may_read_mail_text(user, incident)
    for m in received:
        m.restricted = not allowed and bool(m.text or m.attachments.all())
        if not allowed:
            m.text = ""
            m.shown_attachments = []
        else:
            m.shown_attachments = list(m.attachments.all())
    for m in messages:
        if m.direction != Direction.IN:
            m.restricted, m.shown_attachments = False, list(m.attachments.all())
    return messages


def attachment(user, pk: int) -> Attachment:
    """An attachment, for a reader who may see its incident (NotFound otherwise: its
    existence is not disclosed); services.download_attachment records each download."""
    item = Attachment.objects.select_related("incident", "message").filter(pk=pk).first()
    if item is None or item.incident is None:
        raise NotFound(_("No attachment #%(id)s.") % {"id": pk}, field="id")
    try:
        incident_selectors.find(user, item.incident.number)
    except NotFound:
        raise NotFound(_("No attachment #%(id)s.") % {"id": pk}, field="id") from None
    if item.message.direction == Direction.IN and not may_read_mail_text(user, item.incident):
        raise Forbidden(
            _(
                "What a requester sent may name a patient: only the roles allowed to see "
                "personal health information open it."
            )
        )
    return item


def mailbox_of(institution) -> Mailbox | None:
    """The institution's first active mailbox: where replies to its e-mails come back."""
    return Mailbox.objects.filter(institution=institution, active=True).order_by("id").first()
