"""How the reports' actions read on an incident's timeline (core.timeline registry)."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from escalade.core.choices import AuditAction
from escalade.core.timeline import register

from .models import MajorReport


def _report_written(ev):
    data = ev.data or {}
    names = []
    for field in data.get("report", []):
        try:
            names.append(str(MajorReport._meta.get_field(field).verbose_name))
        except FieldDoesNotExist:  # a field since removed: its name as recorded
            names.append(field)
    lines = [", ".join(names)]
    if data.get("complete"):
        lines.append(_("The report is complete and sent to its distribution list."))
    return lines


def _declaration_filed(ev):
    data = ev.data or {}
    return [
        _("Declaration %(form)s filed, number %(number)s")
        % {"form": data.get("declaration", ""), "number": data.get("number") or "—"}
    ]


def register_all() -> None:
    register(AuditAction.REPORT_WRITTEN, _report_written)
    register(AuditAction.DECLARATION_FILED, _declaration_filed)
