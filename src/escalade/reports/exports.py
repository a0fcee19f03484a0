"""Exports of the period statistics: CSV, XLSX (one sheet per table), PDF summary."""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _


def tables(fig: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) for each table of the figures."""
    ttfr, ttr = fig["time_to_first_response"], fig["time_to_resolution"]
    return [
        (
            _("Summary"),
            [_("Figure"), _("Value")],
            [
                [_("Incidents"), fig["total"]],
                [_("Minor"), fig["minor"]],
                [_("Major"), fig["major"]],
                [_("Calls attached to a major incident in progress"), fig["attached_calls"]],
                [_("Resolved on the first call"), fig["first_call_resolved"]],
                # a percentage, as the page shows it (25.0, not 0.25 printed as "0.3")
                [
                    _("First-call resolution rate (%)"),
                    None
                    if fig["first_call_resolution_rate"] is None
                    else round(fig["first_call_resolution_rate"] * 100, 1),
                ],
                [_("Time to first response, median (min)"), ttfr["median_min"]],
                [_("Time to first response, 90th percentile (min)"), ttfr["p90_min"]],
                [_("Time to resolution, median (min)"), ttr["median_min"]],
                [_("Time to resolution, 90th percentile (min)"), ttr["p90_min"]],
                [_("Sessions with trouble"), fig["sessions_with_trouble"]],
                [_("Sessions cancelled"), fig["sessions_cancelled"]],
                [_("Patients affected"), fig["patients_affected"]],
                [_("Patient-safety events"), fig["patient_safety_events"]],
                [
                    _("Unplanned interruptions (notices)"),
                    fig["service_interruptions"]["unplanned"],
                ],
                [
                    _("Outage minutes (planned work inside maintenance windows not counted)"),
                    fig["service_interruptions"]["outage_minutes"],
                ],
                [_("Outages of clinical systems (runbooks)"), fig["outages"]["count"]],
                [_("Minutes in degraded mode"), fig["outages"]["minutes"]],
            ],
        ),
        (
            _("By category"),
            [_("Category"), _("Minor"), _("Major")],
            [[row["label"], row["minor"], row["major"]] for row in fig["by_category"]],
        ),
        (
            _("By level"),
            [_("Level"), _("Incidents")],
            [[row["label"], row["count"]] for row in fig["by_level"]],
        ),
        (
            _("By channel"),
            [_("Channel"), _("Incidents")],
            [[row["label"], row["count"]] for row in fig["by_channel"]],
        ),
        (
            _("Outages by system"),
            [_("System"), _("Outages"), _("Minutes in degraded mode")],
            [[row["system"], row["count"], row["minutes"]] for row in fig["outages"]["by_system"]],
        ),
    ]


def heading(fig: dict, institution) -> str:
    period = fig["period"] or ""
    return _("%(institution)s — %(period)s %(start)s to %(end)s; filters: %(filters)s") % {
        "institution": institution.label,
        "period": period,
        "start": fig["from"],
        "end": fig["to"],
        "filters": ", ".join(
            f"{k}={v}" for k, v in fig["filters"].items() if k not in ("from", "to")
        )
        or "—",
    }


def to_csv(fig: dict, institution) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([heading(fig, institution)])
    for title, header, rows in tables(fig):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(fig: dict, institution) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 (heavy, only to export)
    from openpyxl.styles import Font  # noqa: PLC0415 (heavy, only to export)

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in tables(fig):
        sheet = book.create_sheet(title[:31])
        sheet.append([heading(fig, institution)])
        sheet.append([])
        sheet.append(header)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_pdf(fig: dict, institution) -> bytes:
    from reportlab.lib.pagesizes import LETTER  # noqa: PLC0415 (heavy, only to export)
    from reportlab.lib.styles import getSampleStyleSheet  # noqa: PLC0415 (heavy, only to export)
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table  # noqa: PLC0415 (heavy, only to export)

    styles = getSampleStyleSheet()
    story = [
        Paragraph(escape(_("Incident statistics")), styles["Title"]),
        Paragraph(escape(heading(fig, institution)), styles["Normal"]),
        Spacer(1, 12),
    ]
    for title, header, rows in tables(fig):
        story.append(Paragraph(escape(title), styles["Heading2"]))
        story.append(Table([header, *[[_printed(v) for v in row] for row in rows]]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=LETTER).build(story)
    return buffer.getvalue()


def _printed(value) -> str:
    """A figure as the reader's language prints it (French: 12,5); none is blank. The CSV
    and XLSX keep numbers as numbers, for the spreadsheet to format."""
    if value is None:
        return ""
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1, use_l10n=True)
    return str(value)
