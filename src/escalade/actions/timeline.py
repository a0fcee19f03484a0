"""How the action items' audit actions read on a timeline (an incident's, a problem's)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from escalade.core.choices import AuditAction
from escalade.core.timeline import register


def _added(ev):
    data = ev.data or {}
    return [
        _("%(text)s: %(owner)s, due %(due)s")
        % {
            "text": data.get("text", ""),
            "owner": data.get("owner") or _("no owner yet"),
            "due": data.get("due") or "—",
        }
    ]


def register_all() -> None:
    register(AuditAction.ACTION_ADDED, _added)
    for action in (
        AuditAction.ACTION_DONE,
        AuditAction.ACTION_CANCELLED,
        AuditAction.ACTION_REOPENED,
    ):
        register(action, lambda ev: [(ev.data or {}).get("text", "")])
