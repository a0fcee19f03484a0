"""A runbook as PDF, for the day the network is down too: trigger, whom to tell with
their hours, broadcasts, the degraded-mode and return steps with tick boxes, and the
blank « mode dégradé » registry sheet of annex 1 on its own landscape page."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.frames import Frame

from escalade.core.i18n import colon

SHEET_ROWS = 18


def runbook_pdf(view: dict, institution) -> bytes:
    """The runbook (as selectors.runbook_view gives it) as an A4 PDF."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4, title=view["title"], author=institution.label)
    portrait = Frame(1.8 * cm, 1.8 * cm, A4[0] - 3.6 * cm, A4[1] - 3.6 * cm)
    wide = landscape(A4)
    sheet_frame = Frame(1.2 * cm, 1.2 * cm, wide[0] - 2.4 * cm, wide[1] - 2.4 * cm)
    doc.addPageTemplates(
        [
            PageTemplate("portrait", [portrait], pagesize=A4),
            PageTemplate("landscape", [sheet_frame], pagesize=wide),
        ]
    )

    def p(text, style="Normal"):
        return Paragraph(escape(str(text)), styles[style])

    story = [
        p(view["title"], "Title"),
        p(
            f"{institution.label} · {_('Version')} {view['version']} · {_('Owner')}{colon()} "
            f"{view['owner']}"
            + (f" · {_('Review by')} {view['review_on']:%Y-%m-%d}" if view["review_on"] else "")
        ),
        Spacer(1, 0.3 * cm),
        p(_("How it is noticed"), "Heading2"),
        p(view["trigger"]),
        p(_("Whom to tell"), "Heading2"),
    ]
    for contact in view["contacts"]:
        story.append(p(contact["who"], "Heading4"))
        for ch in contact["channels"]:
            line = f"{ch['label'] + colon() + ' ' if ch['label'] else ''}{ch['value']}"
            if ch["hours"]:
                line += f" ({ch['hours']})"
            story.append(p(f"• {line}"))
    for key, title, mark in (
        ("start_broadcasts", _("Broadcasts when it breaks"), "(!)"),
        ("end_broadcasts", _("Broadcasts when it is back"), "(i)"),
    ):
        if view[key]:
            story.append(p(title, "Heading2"))
            for b in view[key]:
                story.append(p(f"{mark} {b['title']} — {b['message']} ({b['group']})"))
    for key, title in (("degraded", _("Degraded mode")), ("restore", _("Return to normal"))):
        if view[key]:
            story.append(p(title, "Heading2"))
            for n, step in enumerate(view[key], start=1):
                when = f" [{step['when']}]" if step["when"] else ""
                story.append(p(f"[  ] {n}. {step['text']}{when}"))
    story.append(Spacer(1, 0.4 * cm))
    story.append(
        p(
            _("Printed %(when)s")
            % {"when": timezone.now().astimezone(institution.zone).strftime("%Y-%m-%d %H:%M")}
        )
    )
    if view["registry"]:
        story += [NextPageTemplate("landscape"), PageBreak()]
        story.append(p(_("Degraded-mode registry (annex 1)"), "Heading2"))
        story.append(p(view["title"]))
        head = [
            _("Time"),
            _("Last name"),
            _("First name"),
            _("Date of birth"),
            "IPP",
            _("Episode"),
            _("Exam"),
            _("Modality"),
            _("Accession number"),
            _("By"),
        ]
        table = Table(
            [head] + [[""] * len(head) for _row in range(SHEET_ROWS)],
            colWidths=[
                1.6 * cm,
                3.6 * cm,
                3.2 * cm,
                2.6 * cm,
                2.4 * cm,
                1.8 * cm,
                4.4 * cm,
                2.0 * cm,
                3.0 * cm,
                2.4 * cm,
            ],
            rowHeights=[0.8 * cm] + [0.85 * cm] * SHEET_ROWS,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("FONTSIZE", (0, 0), (-1, 0), 8),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return out.getvalue()
