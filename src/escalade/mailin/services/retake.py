"""A rejected message taken again, by a person."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Conflict, NotFound

from ..choices import State
from ..errors import MailError
from ..models import Message
from .receiving import receive

log = logging.getLogger("escalade.mailin")


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
            action=AuditAction.MESSAGE_RETAKEN,
            obj=mailbox,
            actor=actor,
            institution=mailbox.institution,
            data={"retaken": locked.pk, "reason": locked.reason_code},
        )
        locked.delete()
        return receive(mailbox, raw, via=via, uid=uid, tell=False)
