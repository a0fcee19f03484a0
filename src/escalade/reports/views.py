import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.web import current_institution, requires
from escalade.core.errors import DomainError, NotFound
from escalade.core.fiscal import fiscal_year_of, period_of, periods
from escalade.core.web import act, done, show_errors, shows_errors
from escalade.incidents import selectors as incident_selectors

from . import access, services, stats
from .forms import AccessReportForm, ActionItemForm, MajorReportForm
from .models import IncidentDeclaration
from .pdf import major_report_pdf
from .stats import follow_up_report


def _report(request, number):
    incident = incident_selectors.find(request.user, number)
    if incident.severity != "major":
        raise NotFound(number, field="number")
    return services.ensure_draft(incident)


@login_required
@shows_errors
def major_report(request, number):
    report = _report(request, number)
    initial = {f: getattr(report, f) for f in services.EDITABLE}
    initial["resolution"] = report.resolution_text  # the incident's own until rewritten
    initial["distribution"] = "\n".join(report.distribution)
    form = MajorReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update(request.user, report, form.cleaned_data)
                return done(request, _("Report saved."), "reports:major", number=number)
            except DomainError as exc:
                show_errors(form, exc)
        status = 422
    return _major_page(request, report, form=form, status=status)


def _major_page(request, report, *, form=None, action_form=None, status=200):
    incident = report.incident
    if form is None:
        initial = {f: getattr(report, f) for f in services.EDITABLE}
        initial["resolution"] = report.resolution_text
        initial["distribution"] = "\n".join(report.distribution)
        form = MajorReportForm(initial=initial)
    members = services.members_of(incident.institution)
    today = timezone.now().astimezone(incident.institution.zone).date()
    items = services.action_items(report)
    for item in items:
        item.overdue = item.state == "open" and item.due is not None and item.due < today
    return render(
        request,
        "reports/major.html",
        {
            "report": report,
            "form": form,
            "incident": incident,
            "action_items": items,
            "action_form": action_form or ActionItemForm(members=members, auto_id="id_action_%s"),
        },
        status=status,
    )


@login_required
@require_POST
@shows_errors
def major_report_action(request, number):
    """The report's author adds an action item (what, owner, due date)."""
    report = _report(request, number)
    members = services.members_of(report.incident.institution)
    return act(
        request,
        lambda d: services.add_action(request.user, report, d["text"], d["owner"], d["due"]),
        form=ActionItemForm(request.POST, members=members, auto_id="id_action_%s"),
        key="action_form",
        page=lambda status, **forms: _major_page(request, report, status=status, **forms),
        then=lambda _item: done(
            request, _("Action item added: its owner is told."), "reports:major", number=number
        ),
    )


@login_required
@shows_errors
def major_report_download(request, number):
    report = _report(request, number)
    response = HttpResponse(major_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.incident.number}.pdf"'
    return response


@login_required
@shows_errors
def declaration(request, number):
    incident = incident_selectors.find(request.user, number)
    found = IncidentDeclaration.objects.filter(incident=incident).first()
    if found is None:
        raise NotFound(_("This incident has no declaration."), field="number")
    if request.method == "POST":
        services.file_declaration(request.user, found, request.POST.get("external_number", ""))
        return done(
            request, _("Declaration marked as filed."), "reports:declaration", number=number
        )
    return render(request, "reports/declaration.html", {"declaration": found, "incident": incident})


def _bar_chart(rows: list[dict], width: int = 560) -> dict:
    """Geometry of a horizontal stacked bar chart (minor/major per category) drawn as SVG
    by the template: server-side, no script, readable in print."""
    top = max((r["minor"] + r["major"] for r in rows), default=0) or 1
    bar_h, gap, label_w = 18, 8, 220
    scale = (width - label_w - 40) / top
    bars = []
    for i, r in enumerate(rows):
        y = i * (bar_h + gap)
        bars.append(
            {
                **r,
                "y": y,
                "ty": y + 13,
                "minor_w": round(r["minor"] * scale, 1),
                "major_x": label_w + round(r["minor"] * scale, 1),
                "major_w": round(r["major"] * scale, 1),
                "total": r["minor"] + r["major"],
                "total_x": label_w + round((r["minor"] + r["major"]) * scale, 1) + 4,
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(1, len(rows)) * (bar_h + gap),
        "label_w": label_w,
        "bar_h": bar_h,
    }


@requires(perms.VIEW_ALL)
def statistics(request):
    institution = current_institution(request)
    today = timezone.now().astimezone(institution.zone).date()
    code = request.GET.get("period") or period_of(today).code
    try:
        current, period = stats.period_range(code)
    except (ValueError, IndexError):
        current, period = stats.period_range(period_of(today).code)
    site, symptom = request.GET.get("site", ""), request.GET.get("symptom", "")
    chosen, range_errors = _date_range_of(request.GET)
    if chosen is not None:  # a range of dates typed instead of a period
        current, period = chosen, None
        previous_range = chosen.previous()
    else:
        previous_range = stats.Range(
            *(lambda p: (p.start, p.end))(period_of(current.start - dt.timedelta(days=1))),
            period_of(current.start - dt.timedelta(days=1)).code,
        )
    fig = stats.figures(institution, current, site, symptom)
    prev = stats.figures(institution, previous_range, site, symptom)
    year = fiscal_year_of(current.start)
    return render(
        request,
        "reports/statistics.html",
        {
            "institution": institution,
            "fig": fig,
            "prev": prev,
            "period": period,
            "range": current,
            "range_errors": range_errors,
            "export_query": urlencode(
                {
                    **(
                        {"period": period.code}
                        if period
                        else {"from": current.start.isoformat(), "to": current.end.isoformat()}
                    ),
                    "institution": institution.code,
                    **({"site": site} if site else {}),
                }
            ),
            "periods": periods(year) + periods(year - 1),
            "chart": _bar_chart(fig["by_category"]),
            "site": site,
            "symptom": symptom,
            "typed": {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
        },
        status=422 if range_errors else 200,
    )


def _date_range_of(params) -> tuple[stats.Range | None, dict]:
    """The From and To dates typed on the statistics page, or None (and what is wrong
    with them, by field)."""
    raw_from, raw_to = params.get("from", "").strip(), params.get("to", "").strip()
    if not raw_from and not raw_to:
        return None, {}
    errors = {}
    days = {}
    for field, raw in (("from", raw_from), ("to", raw_to)):
        try:
            days[field] = dt.date.fromisoformat(raw)
        except ValueError:
            errors[field] = _("A date such as 2026-12-05.")
    if not errors and days["to"] < days["from"]:
        errors["to"] = _("The end must come after the start.")
    if not errors and (days["to"] - days["from"]).days > 3 * 366:
        errors["to"] = _("At most three years at once.")
    if errors:
        return None, errors
    return stats.Range(days["from"], days["to"], ""), {}


@requires(perms.VIEW_ALL)
def follow_up_page(request):
    """Level 1's follow-up report: printable."""

    institution = current_institution(request)
    return render(
        request,
        "reports/follow_up.html",
        {
            "institution": institution,
            "report": follow_up_report(institution, timezone.now()),
        },
    )


@requires(perms.VIEW_ALL)
@shows_errors
def resend_period_report(request):
    if request.method != "POST":
        return redirect("reports:statistics")
    institution = current_institution(request)
    code = request.POST.get("period", "")
    services.send_period_report(institution, code, actor=request.user, resend=True)
    return done(
        request, _("The period's report is sent to the supervisor."), f"/statistics/?period={code}"
    )


@requires(perms.VIEW_PATIENT)
@shows_errors
def access_report(request):
    """The access report a patient asked for: their records and who saw them."""
    institution = current_institution(request)
    form = AccessReportForm(request.GET or None)
    report = None
    status = 200
    if request.GET and form.is_valid():
        try:
            report = access.patient_access_report(
                request.user,
                institution,
                form.cleaned_data["name"],
                form.cleaned_data["birth_date"],
            )
        except DomainError as exc:
            show_errors(form, exc)
            status = 422
    elif request.GET:
        status = 422
    return render(
        request,
        "reports/access_report.html",
        {"form": form, "report": report, "institution": institution},
        status=status,
    )
