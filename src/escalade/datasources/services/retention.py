"""Sealed conformance reports past the institution's period (core/retention.py): once
handled (every rejected message resubmitted), the sealed file, its name and the rejected
messages' sealed texts are removed; the report's dates, counts and states stay."""

from __future__ import annotations

from ..choices import ReportState
from ..models import ConformanceReport, ReportError


def purge_reports(institution, cutoff, held) -> int:
    """Remove the sealed contents of the institution's reports handled before `cutoff`."""
    reports = ConformanceReport.objects.filter(
        institution=institution, state=ReportState.DONE, received_at__lt=cutoff
    ).exclude(sealed=b"")
    ids = list(reports.values_list("pk", flat=True))
    ReportError.objects.filter(report_id__in=ids).update(sealed_text=b"")
    return reports.update(sealed=b"", sealed_name=b"")
