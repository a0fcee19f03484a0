"""How the outages' actions read on their incident's timeline (core.timeline registry)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from escalade.core.choices import AuditAction
from escalade.core.timeline import register as add


def _started(ev):
    data = ev.data or {}
    return [data.get("runbook", ""), data.get("note", "")]


def _broadcast(ev):
    data = ev.data or {}
    return [
        _("%(title)s, to %(group)s")
        % {"title": data.get("title", ""), "group": data.get("group", "")}
    ]


def _restored(ev):
    data = ev.data or {}
    return [
        _("%(n)s registry entries to reconcile.") % {"n": data.get("entries", 0)}
        if data.get("entries")
        else ""
    ]


def _entry(ev):
    data = ev.data or {}
    # the identity is personal health information: never on the timeline
    return [
        _("Entry #%(id)s, %(modality)s")
        % {"id": data.get("entry"), "modality": data.get("modality", "")}
    ]


def register() -> None:
    add(AuditAction.OUTAGE_STARTED, _started)
    add(AuditAction.BROADCAST_SENT, _broadcast)
    add(AuditAction.OUTAGE_RESTORED, _restored)
    add(AuditAction.ENTRY_RECORDED, _entry)
    add(AuditAction.ENTRY_RECONCILED, _entry)
