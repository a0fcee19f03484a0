"""A reply to a page's e-mail acknowledges it (through the institution's mailbox: mailin
asks this app before it threads a message into an incident). Who speaks is checked
three ways: the reply names the page's e-mail (In-Reply-To or References), comes from
the address the page went to, and keeps the page's code (quoted from the page, or
typed); a message whose origin failed authentication acknowledges nothing."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from escalade.mailin import rules as mail_rules

from ..choices import PageChannel
from ..models import Page
from .paging import acknowledge


def mail_reply(mailbox, parsed, verdict) -> str | None:
    """Claim a reply to a page's e-mail (None: not one); acknowledge the page when the
    reply proves it comes from the person paged. Returns what was done, for the record."""
    ids = mail_rules.thread_ids(parsed)[:50]
    if not ids:
        return None
    page = (
        Page.objects.select_related("paging__incident", "user")
        .filter(
            message_id__in=ids,
            channel=PageChannel.EMAIL,
            paging__incident__institution=mailbox.institution_id,
        )
        .first()
    )
    if page is None:
        return None
    number = page.paging.incident.number
    sender = (parsed.sender or "").lower()
    if verdict.failed or page.user is None or sender != (page.user.email or "").lower():
        return _("A reply to a page of %(number)s, not from the person paged: nothing done.") % {
            "number": number
        }
    if not re.search(rf"\b{re.escape(page.code)}\b", parsed.full_text or ""):
        return _("A reply to a page of %(number)s without its code: nothing done.") % {
            "number": number
        }
    acknowledge(None, page, via="email")
    return _("Page of %(number)s acknowledged by e-mail reply.") % {"number": number}
