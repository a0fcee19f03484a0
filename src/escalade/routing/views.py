"""The guided "I need help" flow: who, why, what (where) -> the plan, printable."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from escalade.accounts.services import institutions_of
from escalade.accounts.web import current_institution
from escalade.core import panels
from escalade.core.errors import DomainError

from . import rules, selectors
from .choices import Location, Need, Requester, Subject
from .models import Chart


def chart_institution(request):
    """The institution whose chart to use: ?institution=, else the current one if it has a
    chart, else the first of the user's institutions that has one."""
    mine = institutions_of(request.user)
    code = request.GET.get("institution")
    if code:
        inst = mine.filter(code=code).first()
        if inst is not None and Chart.objects.filter(institution=inst).exists():
            return inst
    current = current_institution(request)
    if Chart.objects.filter(institution=current).exists():
        return current
    return mine.filter(chart__isnull=False).first()


def _instant(text: str, institution) -> dt.datetime | None:
    """?at=2026-11-28T10:00 (the institution's local time unless an offset is given): plan
    for another moment than now, e.g. "who is open tomorrow at 8?"."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=institution.zone)


@login_required
def guide(request):
    institution = chart_institution(request)
    if institution is None:
        return render(request, "routing/guide.html", {"no_chart": True}, status=404)
    g = request.GET
    requester, need, subject, location = (
        g.get(k, "") for k in ("requester", "need", "subject", "location")
    )
    at = _instant(g.get("at", ""), institution)
    base = f"?institution={institution.code}" + (f"&at={quote(g['at'])}" if at else "")
    ctx = {
        "institution": institution,
        "requester": requester,
        "need": need,
        "subject": subject,
        "location": location,
        "base": base,
    }
    if requester not in Requester.values:
        ctx.update(step="requester", title=_("Who needs help?"), options=Requester.choices)
    elif need not in Need.values:
        ctx.update(step="need", title=_("Why?"), options=Need.choices)
    elif subject not in Subject.values:
        ctx.update(
            step="subject",
            title=_("With what?"),
            options=selectors.subjects_for(institution, requester, need),
        )
    else:
        question = rules.Question(requester, need, subject, location)
        try:
            ctx.update(step="plan", plan=selectors.plan(institution, question, at))
        except DomainError as exc:
            if getattr(exc, "field", "") == "location" or rules.needs_location(question):
                ctx.update(
                    step="location", title=_("Where is the connection?"), options=Location.choices
                )
            else:
                ctx.update(step="error", error=exc)
    ctx["keys"] = "123456789"
    if ctx.get("step") == "plan":  # beside the plan: who is on call (oncall)
        ctx["panels"] = panels.of("help_plan", request, institution)
    return render(request, "routing/guide.html", ctx)


@login_required
def preview(request):
    """The plan for the intake form's routing fields (htmx), in the reader's language."""
    institution = current_institution(request)
    g = request.GET
    requester = "patient" if g.get("requester_role") == "patient" else "staff"
    question = rules.Question(
        requester, g.get("need", ""), g.get("subject", ""), g.get("location", "")
    )
    if not (question.need and question.subject):
        return render(request, "routing/preview.html", {})
    try:
        plan = selectors.plan(institution, question)
    except DomainError as exc:
        return render(request, "routing/preview.html", {"error": exc})
    return render(request, "routing/preview.html", {"plan": plan})
