"""Reading the mail of an incident: the display of what requesters wrote (it may name a
patient) and every download of an attachment are recorded here, not in the selectors
that only read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict
from escalade.incidents.models import Incident

from .. import selectors
from ..choices import Direction
from ..models import Attachment, Message
from .retention import REMOVED


def read_thread(user, incident: Incident, purpose: str) -> list[Message]:
    """The incident's e-mails as `user` may read them (selectors.readable_thread); when
    they are shown the requesters' text or attachments, the display is recorded."""
    messages = selectors.readable_thread(user, incident)
    received = [m for m in messages if m.direction == Direction.IN]
    if any(not m.restricted and (m.text or m.shown_attachments) for m in received):
        audit.phi_viewed(
            user, incident, incident.institution, purpose or "e-mail thread", messages=len(received)
        )
    return messages


def thread_panel(request, incident: Incident) -> list[Message] | None:
    """The incident page's e-mails panel (registered in apps.py), none when no e-mail."""
    return read_thread(request.user, incident, "incident page") or None


def download_attachment(user, pk: int) -> Attachment:
    """An attachment for a reader who may see it (selectors.attachment), the download
    recorded."""
    item = selectors.attachment(user, pk)
    if not item.data and item.filename == REMOVED:
        raise Conflict(
            _("This attachment was removed after its retention period."),
            field="attachment",
            code=Code.NOT_ALLOWED_NOW,
        )
    audit.record(
        action=AuditAction.ATTACHMENT_DOWNLOADED,
        obj=item.incident,
        actor=user,
        institution=item.incident.institution,
        data={"attachment": item.pk, "filename": item.filename},
    )
    return item
