"""The major-incident report as PDF (reportlab: installs from PyPI alone)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.incidents import selectors as incident_selectors


def major_report_pdf(report) -> bytes:
    # reportlab loads when a PDF is drawn, not at every process's start (140 ms of a 2 s
    # start: docs/benchmarks.md)
    from reportlab.lib.pagesizes import LETTER  # noqa: PLC0415
    from reportlab.lib.styles import getSampleStyleSheet  # noqa: PLC0415
    from reportlab.lib.units import cm  # noqa: PLC0415
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # noqa: PLC0415

    incident = report.incident
    zone = incident.institution.zone
    styles = getSampleStyleSheet()
    story = [
        Paragraph(
            escape(_("Major-incident report %(number)s") % {"number": incident.number}),
            styles["Title"],
        ),
        Paragraph(escape(f"{incident.summary} · {incident.institution.label}"), styles["Normal"]),
        Spacer(1, 0.4 * cm),
    ]

    def section(title, text):
        story.append(Paragraph(escape(title), styles["Heading2"]))
        for para in (text or "—").split("\n"):
            story.append(Paragraph(escape(para) or "&nbsp;", styles["Normal"]))

    section(_("Cause"), report.cause)
    section(_("Resolution"), report.resolution_text)
    section(_("Organisational repercussions"), report.organisational_repercussions)
    section(_("Clinical repercussions"), report.clinical_repercussions)
    section(
        _("Sessions cancelled, patients affected"),
        _("%(sessions)s session(s) cancelled, %(patients)s patient(s) affected.")
        % {"sessions": report.sessions_cancelled, "patients": report.patients_affected},
    )
    section(_("Care delayed"), report.care_delayed)
    section(_("Distribution"), ", ".join(report.distribution))
    story.append(Paragraph(escape(_("Timeline")), styles["Heading2"]))
    for event in incident_selectors.timeline(incident):
        when = event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        who = event.actor.get_username() if event.actor else _("system")
        story.append(
            Paragraph(escape(f"{when} · {event.get_action_display()} · {who}"), styles["Normal"])
        )
    story.append(Spacer(1, 0.4 * cm))
    story.append(
        Paragraph(
            escape(
                _("Printed %(when)s")
                % {"when": timezone.now().astimezone(zone).strftime("%Y-%m-%d %H:%M")}
            ),
            styles["Italic"],
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=LETTER, title=incident.number).build(story)
    return buffer.getvalue()
