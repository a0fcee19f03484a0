"""Pages: sessions, the live protocol shared by every site, the coordinator's follow-up."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission
from escalade.accounts.web import current_institution
from escalade.core import retention
from escalade.core.errors import DomainError, NotFound
from escalade.core.web import act as act_on
from escalade.core.web import done, posted_id, show_errors, shows_errors

from . import selectors, services
from .forms import ImportForm, ReasonForm, SessionForm, TroubleshootForm
from .models import FollowUpTask


def _patients_from_text(text: str, day: dt.date, zone) -> list[services.PatientInput]:
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split(";")]
        if not parts or not parts[0]:
            continue
        appointment = None
        if len(parts) > 2 and parts[2]:
            try:
                appointment = dt.datetime.combine(day, dt.time.fromisoformat(parts[2]), tzinfo=zone)
            except ValueError:
                appointment = None
        out.append(services.PatientInput(parts[0], parts[1] if len(parts) > 1 else "", appointment))
    return out


@login_required
def session_list(request):
    institution = current_institution(request)
    form = SessionForm(request.POST or None)
    import_form = ImportForm()
    result, status = None, 200
    if request.method == "POST" and request.POST.get("form") == "import":
        import_form = ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            try:
                text = import_form.cleaned_data["file"].read().decode("utf-8-sig")
                result = services.import_csv(request.user, institution, text)
            except (DomainError, UnicodeDecodeError) as exc:
                import_form.add_error("file", getattr(exc, "message", str(exc)))
                status = 422
        form = SessionForm()
    elif request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                session = services.create_session(
                    request.user,
                    institution,
                    services.SessionInput(
                        kind=d["kind"],
                        start=d["start"],
                        end=d["end"],
                        requesting_site=d["requesting_site"],
                        provider_sites=d["provider_sites"].splitlines(),
                        patients=_patients_from_text(
                            d["patients"], d["start"].date(), institution.zone
                        ),
                        technical_contact=d["technical_contact"],
                        clinical_contact=d["clinical_contact"],
                        health_professional=d["health_professional"],
                        coordinator=d["coordinator"],
                    ),
                )
                return done(
                    request, _("Session scheduled."), "telesessions:detail", session_id=session.pk
                )
            except DomainError as exc:
                show_errors(form, exc)
        status = 422
    return render(
        request,
        "telesessions/list.html",
        {
            "institution": institution,
            "sessions": selectors.sessions(request.user, institution)[:200],
            "form": form,
            "import_form": import_form,
            "result": result,
        },
        status=status,
    )


def _next_pending(view, marked: str) -> int | None:
    if view is None or not marked.isdigit():
        return None
    pending = [s["n"] for s in view["steps"] if s["state"] == "pending"]
    return next((n for n in pending if n > int(marked)), pending[0] if pending else None)


def _context(request, session, forms=None):
    protocol = selectors.current_protocol(session)
    show = selectors.can_see_patients(request.user, session)
    patients = list(session.patients.all()) if show else []
    if patients:
        services.record_patient_access(request.user, session, "session page")
    view = selectors.protocol_view(protocol) if protocol else None
    return {
        "session": session,
        "institution": session.institution,
        "live_version": selectors.live_version(session, protocol),
        "protocol": view,
        # after a step marked without scripts (or before htmx took the form over): the
        # cursor on the next step to do, as the live panel's script puts it
        "focus_step": _next_pending(view, request.GET.get("marked", "")),
        "patients": patients,
        "patient_count": session.patients.count(),
        "show_patients": show,
        "tasks": selectors.tasks_view(session, show),
        "troubleshoot_form": (forms or {}).get("troubleshoot")
        or TroubleshootForm(institution=session.institution),
        "cancel_form": (forms or {}).get("cancel") or ReasonForm(),
        "hold": retention.hold_of(session),
        "hold_form": (forms or {}).get("hold")
        or (forms or {}).get("release_hold")
        or ReasonForm(auto_id="id_hold_%s"),
        "can_hold": has_permission(request.user, perms.LEGAL_HOLD, session.institution),
    }


@login_required
@shows_errors
def detail(request, session_id: int):
    session = selectors.get_session(request.user, session_id)
    return render(request, "telesessions/detail.html", _context(request, session))


@login_required
@shows_errors
def technical_sheet(request, session_id: int):
    """Seed 000: minor incidents « doivent être inscrits sur la fiche technique »."""
    session = selectors.get_session(request.user, session_id)
    return render(
        request,
        "telesessions/sheet.html",
        {"session": session, "institution": session.institution, "rows": selectors.sheet(session)},
    )


@login_required
@shows_errors
def protocol_panel(request, session_id: int):
    """The live part of the session page (status, protocol, what can be done now), polled
    every second by every participant's screen (htmx). Unchanged since the version the
    page holds: 204, nothing is swapped, focus and reading position stay where they are."""
    session = selectors.get_session(request.user, session_id)
    protocol = selectors.current_protocol(session)
    version = selectors.live_version(session, protocol)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(
        request,
        "telesessions/detail.html#live",
        {
            "session": session,
            "live_version": version,
            "protocol": selectors.protocol_view(protocol) if protocol else None,
            "troubleshoot_form": TroubleshootForm(institution=session.institution),
            "cancel_form": ReasonForm(),
            "now": timezone.now(),
        },
    )


def _step(request, session):
    services.mark_step(
        request.user,
        session,
        posted_id(request, "n"),
        request.POST.get("state", ""),
        request.POST.get("note", ""),
    )


# action -> (its form, what it does, what the banner says after); the form is None for a
# button. A step marked by htmx answers with the live panel only.
_ACTIONS = {
    "troubleshoot": (
        lambda request, session: TroubleshootForm(request.POST, institution=session.institution),
        lambda request, session, data: services.start_troubleshooting(
            request.user, session, symptom=data["symptom"], description=data["description"]
        ),
        gettext_lazy("Troubleshooting started: the telehealth technicians are told."),
    ),
    "step": (None, lambda request, session, _data: _step(request, session), None),
    "resolve": (
        None,
        lambda request, session, _data: services.resolve_protocol(request.user, session),
        gettext_lazy("Solved: the session goes on; the clinical coordinator is told."),
    ),
    "cancel": (
        lambda request, _session: ReasonForm(request.POST),
        lambda request, session, data: services.cancel_session(
            request.user, session, data["reason"]
        ),
        gettext_lazy("Session cancelled: the follow-up work is listed and its people told."),
    ),
    "hold": (
        lambda request, _session: ReasonForm(request.POST),
        lambda request, session, data: services.legal_hold(request.user, session, data["reason"]),
        gettext_lazy("Legal hold set: its personal information is kept."),
    ),
    "release_hold": (
        lambda request, _session: ReasonForm(request.POST),
        lambda request, session, data: services.release_legal_hold(
            request.user, session, data["reason"]
        ),
        gettext_lazy("Legal hold ended."),
    ),
}


@login_required
@require_POST
@shows_errors
def act(request, session_id: int, action: str):
    if action not in _ACTIONS:
        raise NotFound(action, field="action")
    session = selectors.get_session(request.user, session_id)
    make_form, do, message = _ACTIONS[action]
    form = make_form(request, session) if make_form else None

    def page(status, error=None, **forms):
        if error is not None:
            # e.g. troubleshooting already under way (a stale page): the page as it is
            # now, with the running protocol, and why nothing was done
            forms.pop("troubleshoot", None)
        ctx = _context(request, session, forms)
        ctx["error"] = error
        return render(request, "telesessions/detail.html", ctx, status=status)

    def then(_result):
        if action == "step" and request.htmx:
            return protocol_panel(request, session_id)
        if message:
            messages.success(request, message)
        if action == "step" and str(request.POST.get("n", "")).isdigit():
            where = reverse("telesessions:detail", args=[session.pk])
            return redirect(f"{where}?marked={request.POST['n']}")
        return redirect("telesessions:detail", session_id=session.pk)

    return act_on(
        request,
        lambda data: do(request, session, data),
        form=form,
        key=action,
        refusal_on_form=False,
        page=page,
        then=then,
    )


@login_required
def follow_up(request):
    """The coordinator's page: calls back, explanations and rebookings to do."""
    if request.method == "POST":
        task = (
            FollowUpTask.objects.select_related("session__institution")
            .filter(pk=request.POST.get("task", 0))
            .first()
        )
        if task is not None:
            try:
                services.complete_task(request.user, task)
            except DomainError:
                pass
        return redirect("telesessions:follow_up")
    rows = selectors.open_tasks(request.user)
    for session in {r["session_obj"] for r in rows if r["patient"] and "name" in r["patient"]}:
        services.record_patient_access(request.user, session, "follow-up page")
    return render(request, "telesessions/follow_up.html", {"rows": rows})
