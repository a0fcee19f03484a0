"""Pages: phone intake, queues, incident detail with its timeline and actions."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.choices import Role
from escalade.accounts.services import has_permission, institutions_of, set_default_institution
from escalade.accounts.web import current_institution, requires
from escalade.core import panels, retention, timeline
from escalade.core.errors import DomainError, NotFound
from escalade.core.i18n import current_language
from escalade.core.pagination import PageQuery, paginate
from escalade.core.text import display_phone
from escalade.core.web import act as act_on
from escalade.core.web import done, shows_errors

from . import rules, selectors, services
from .choices import Severity, Status
from .forms import (
    FIELD_MAP,
    AttachForm,
    EmptyForm,
    EscalateForm,
    GuideForm,
    IntakeForm,
    MergeForm,
    NoteForm,
    PatientSafetyForm,
    PriorityForm,
    ReasonForm,
    ReclassifyForm,
    ResolveForm,
    SymptomForm,
    show_errors,
)
from .models import IncidentPolicy

QUEUES = ("mine", "team", "due", "followup", "all")


@login_required
def home(request):
    return redirect("incidents:queue")


@login_required
@require_POST
def pick_institution(request):
    code = request.POST.get("institution", "")
    chosen = institutions_of(request.user).filter(code=code).first()
    if chosen is not None:
        request.session["institution"] = code
        set_default_institution(request.user, chosen)  # where they land next time

    after = request.POST.get("next", "")
    if after and url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}):
        return redirect(after)
    return redirect("incidents:queue")


@login_required
def intake(request):
    """The call form. The telephony system may open it with the caller's phone in the
    address (/incidents/new/?phone=5149341934): a returning caller's name, role and site
    are then filled in from their last call, and their open incidents listed."""
    institution = current_institution(request)
    policy = IncidentPolicy.objects.filter(institution=institution).first()
    caller = None
    initial = {}
    if request.method != "POST" and request.GET.get("phone"):
        phone = selectors.as_phone(request.GET["phone"][:40], institution.region)
        if phone:
            initial["requester_phone"] = display_phone(phone, institution.region)
            caller = selectors.returning_caller(request.user, institution, phone)
            if caller:
                initial.update(_caller_fields(caller["last"]))
    initial.setdefault("requester_language", current_language())
    form = IntakeForm(request.POST or None, initial=initial, institution=institution, policy=policy)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                incident = services.log_incident(
                    request.user, institution, services.IncidentInput.from_fields(form.cleaned_data)
                )
                return redirect(reverse("incidents:detail", args=[incident.number]) + "?logged=1")
            except DomainError as exc:
                show_errors(form, exc)
        status = 422
    return render(
        request,
        "incidents/intake.html",
        {
            "form": form,
            "caller": caller,
            "institution": institution,
            "takes_calls": policy is not None,
            # seed 002: the provincial desk the local desk calls (1 866 250-1554)
            "desk_phone": display_phone(
                (institution.settings or {}).get("desk_phone", ""), institution.region
            ),
            "desk_email": (institution.settings or {}).get("desk_email", ""),
            # where this user can log a call instead, when this institution cannot
            "elsewhere": []
            if policy is not None
            else list(
                institutions_of(request.user).filter(
                    pk__in=IncidentPolicy.objects.values("institution_id")
                )
            ),
        },
        status=status,
    )


def _caller_fields(last) -> dict:
    return {
        "requester_name": last.requester_name,
        "requester_role": last.requester_role,
        "requester_site": last.requester_site,
    }


@login_required
def caller(request):
    """The call form's returning-caller card, fetched when the phone is typed (htmx)."""
    institution = current_institution(request)
    raw = request.GET.get("requester_phone", "")[:40]
    phone = selectors.as_phone(raw, institution.region) if raw.strip() else None
    found = selectors.returning_caller(request.user, institution, phone) if phone else None
    return render(
        request,
        "incidents/intake.html#caller",
        {"caller": found, "fields": _caller_fields(found["last"]) if found else {}},
    )


@requires(perms.LOG)
def known(request):
    """The call form's "known incident in progress" panel, fetched as the site and the
    symptom are typed (htmx): each with the button that saves the call attached to it."""
    institution = current_institution(request)
    return render(
        request,
        "incidents/intake.html#known",
        {
            "known": selectors.known_in_progress(
                institution,
                site=request.GET.get("requester_site", "")[:200],
                symptom=request.GET.get("symptom", "")[:40],
            ),
            "institution": institution,
        },
    )


@requires(perms.LOG)
def guide_panel(request):
    """The call form's diagnostic guide of the chosen symptom, fetched when the symptom
    changes (htmx): its steps in order, each with "solved at this step"."""
    institution = current_institution(request)
    return render(
        request,
        "incidents/intake.html#guide",
        {"guide": selectors.current_guide(institution, request.GET.get("symptom", "")[:40])},
    )


@requires(perms.VIEW_ALL)
def guides(request):
    """The technicians' page: every symptom's guide, with the calls it solved per step."""
    institution = current_institution(request)
    found = [g for g in selectors.guides_of(institution) if g.current]
    stats = selectors.guide_stats(found)
    symptoms_without = [
        s
        for s in services.symptoms_of(institution).values()
        if s.pk not in {g.symptom_id for g in found}
    ]
    return render(
        request,
        "incidents/guides.html",
        {
            "institution": institution,
            "rows": [(g, stats[g.pk]) for g in found],
            "without": symptoms_without,
            "can_change": has_permission(request.user, perms.GUIDE_CHANGE, institution),
        },
    )


@requires(perms.VIEW_ALL)
@shows_errors
def guide_detail(request, symptom):
    """One symptom's guide: its steps, each version's figures, and (technicians) the form
    that writes a new version."""
    institution = current_institution(request)
    category = services.symptoms_of(institution).get(symptom)
    if category is None:
        raise NotFound(symptom, field="symptom")
    versions = selectors.guides_of(institution, symptom)
    current = next((g for g in versions if g.current), None)
    initial = {}
    if current is not None:
        initial = {
            lang: "\n".join(step["text"][lang] for step in current.steps) for lang in ("fr", "en")
        }
    form = GuideForm(request.POST or None, initial=initial)
    stats = selectors.guide_stats(versions)
    for guide in versions:
        guide.figures = stats[guide.pk]

    def page(status=200, **forms):
        return render(
            request,
            "incidents/guide.html",
            {
                "institution": institution,
                "symptom": category,
                "current": current,
                "versions": versions,
                "form": forms.get("form", form),
                "can_change": has_permission(request.user, perms.GUIDE_CHANGE, institution),
            },
            status=status,
        )

    if request.method != "POST":
        return page()
    return act_on(
        request,
        lambda data: services.save_guide(request.user, institution, symptom, data["steps"]),
        form=form,
        page=page,
        then=lambda guide: done(
            request,
            _("Guide saved: version %(version)s.") % {"version": guide.version},
            "incidents:guide",
            symptom=symptom,
        ),
    )


@login_required
def queue(request):
    institution = current_institution(request)
    tab = request.GET.get("queue", "team")
    if tab not in QUEUES:
        tab = "team"
    user = request.user
    if not has_permission(user, perms.VIEW_ALL):
        tab = "all"  # a requester's own requests
    if tab == "mine":
        qs = selectors.assigned_to(user, institution)
    elif tab == "followup":
        qs = selectors.follow_up(institution)
    elif tab == "team":
        qs = selectors.team_queue(user, institution)
    elif tab == "due":
        qs = selectors.due_first(user, institution)
    else:
        qs = selectors.search(
            selectors.visible_incidents(user, institution),
            level=_int(request.GET.get("level")),
            severity=request.GET.get("severity") or None,
            status=request.GET.get("status") or None,
            q=request.GET.get("q") or None,
            symptom=request.GET.get("symptom") or None,
            channel=request.GET.get("channel") or None,
            site=request.GET.get("site") or None,
            phone=_phone(request.GET.get("phone"), institution.region),
            region=institution.region,
            mail_text=has_permission(user, perms.VIEW_PATIENT, institution),
            **_date_range(request, institution),
        )
    # the API's pages: keyset-ordered by the queue's own order, so page 1,000 costs what
    # page 1 costs; a cursor that is not one of ours starts again at the first page
    order = QUEUE_ORDER.get(tab, ("-id",))
    try:
        page = paginate(
            qs, PageQuery(cursor=request.GET.get("cursor") or None), order=order, heavy=True
        )
    except DomainError:
        page = paginate(qs, PageQuery(), order=order, heavy=True)
    context = {
        "institution": institution,
        "tab": tab,
        "page": page,
        "team_levels": selectors.team_levels(user, institution),
        "filters": request.GET,
        "querystring": _without_page(request.GET),
        "severities": Severity.choices,
        "statuses": [("open", _("Open")), *Status.choices],
        "can_view_all": has_permission(user, perms.VIEW_ALL),
        "now": timezone.now(),
    }
    if request.htmx:
        return render(request, "incidents/queue.html#rows", context)
    return render(request, "incidents/queue.html", context)


@login_required
def search(request):
    """The header's search box: a number read out on the phone goes straight to its page
    (incident, C2 ticket, session), a phone number lists that caller's incidents, anything
    else searches the incidents' words."""

    institution = current_institution(request)
    text = request.GET.get("q", "")
    kind, target = selectors.quick_find(request.user, institution, text)
    if kind == "incident":
        return redirect("incidents:detail", number=target)
    if kind == "page":
        return redirect(target)
    if kind == "phone":
        return redirect(
            reverse("incidents:queue") + "?" + urlencode({"queue": "all", "phone": target})
        )
    return redirect(reverse("incidents:queue") + "?" + urlencode({"queue": "all", "q": target}))


def _phone(raw, region):
    """The queue's phone filter, in any format the caller reads it out."""
    if not raw:
        return None
    return selectors.as_phone(raw, region) or raw


@requires(perms.VIEW_ALL)
def wallboard(request):
    """The coordination centre's wall screen: sessions in trouble with their clocks, open
    major incidents by level and age, notices in force, calls waiting for follow-up. The
    board polls its own content every second (htmx), without reloading."""

    institution = current_institution(request)
    waiting = selectors.follow_up(institution)
    context = {
        "institution": institution,
        "majors": selectors.open_majors(institution),
        "waiting_count": waiting.count(),
        "waiting": list(waiting[:5]),
        # sessions in trouble, notices in force, follow-up tasks: from the apps that own them
        "panels": panels.of("wallboard", request, institution),
        "now": timezone.now(),
    }
    template = "incidents/wallboard.html#board" if request.htmx else "incidents/wallboard.html"
    return render(request, template, context)


# each queue's order (its selector's), ending with a unique key for the keyset
QUEUE_ORDER = {
    "mine": ("priority", "created_at", "id"),
    "team": ("priority", "created_at", "id"),
    "followup": ("updated_at", "id"),
    "due": ("due_at", "id"),
}


def _without_page(params) -> str:
    kept = params.copy()
    kept.pop("cursor", None)
    return kept.urlencode()


def _date_range(request, institution) -> dict:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive, the institution's local days)."""

    out = {}
    for key, name, extra in (("from", "created_from", 0), ("to", "created_to", 1)):
        try:
            day = dt.date.fromisoformat(request.GET.get(key, ""))
        except ValueError:
            continue
        out[name] = dt.datetime.combine(
            day + dt.timedelta(days=extra), dt.time(0), tzinfo=institution.zone
        )
    return out


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- detail and actions ----------------------------------------------------------

ACTIONS = {
    # action: (form class, service call); who may is _available()'s and the service's
    "start": (EmptyForm, lambda u, i, d: services.start(u, i)),
    "escalate": (
        EscalateForm,
        lambda u, i, d: services.escalate(
            u,
            i,
            to_level=d["to_level"],
            reason=d["reason"],
            partner=d["partner"],
            partner_kind=d["partner_kind"],
            external_ref=d["external_ref"],
        ),
    ),
    "resolve": (
        ResolveForm,
        lambda u, i, d: services.resolve(u, i, d["resolution"]),
    ),
    "close": (EmptyForm, lambda u, i, d: services.close(u, i)),
    "reopen": (ReasonForm, lambda u, i, d: services.reopen(u, i, d["reason"])),
    "note": (
        NoteForm,
        lambda u, i, d: services.add_note(u, i, d["text"], to_requester=d.get("to_requester")),
    ),
    "symptom": (SymptomForm, lambda u, i, d: services.choose_symptom(u, i, d["symptom"])),
    "reclassify": (
        ReclassifyForm,
        lambda u, i, d: services.reclassify(u, i, d["severity"], d["reason"]),
    ),
    "safety": (
        PatientSafetyForm,
        lambda u, i, d: services.flag_patient_safety(u, i, d["level"], d["note"]),
    ),
    "priority": (
        PriorityForm,
        lambda u, i, d: services.reprioritize(u, i, d["impact"], d["urgency"], d["reason"]),
    ),
    "attach": (AttachForm, lambda u, i, d: services.attach(u, i, d["parent"])),
    "detach": (ReasonForm, lambda u, i, d: services.detach(u, i, d["reason"])),
    "merge": (MergeForm, lambda u, i, d: services.merge(u, i, d["into"])),
    "called_back": (EmptyForm, lambda u, i, d: services.called_back(u, i)),
    "hold": (ReasonForm, lambda u, i, d: services.legal_hold(u, i, d["reason"])),
    "release_hold": (ReasonForm, lambda u, i, d: services.release_legal_hold(u, i, d["reason"])),
}


def _auto_id(action: str) -> str:
    return f"id_{action}_%s"


# What the page says once an action is done (Django's messages, shown in the banner).
DONE = {
    "start": gettext_lazy("You took the incident in charge."),
    "escalate": gettext_lazy("Escalated: the new level's team is told."),
    "resolve": gettext_lazy("Resolved."),
    "close": gettext_lazy("Closed."),
    "reopen": gettext_lazy("Reopened."),
    "reclassify": gettext_lazy("Reclassified."),
    "safety": gettext_lazy("The manager is told; the incident declaration is ready."),
    "priority": gettext_lazy("Priority re-evaluated."),
    "symptom": gettext_lazy("Classified: the pack's rules have set its severity and priority."),
    "attach": gettext_lazy("Attached: it is resolved with the incident in progress."),
    "detach": gettext_lazy("Detached: it stands on its own again."),
    "merge": gettext_lazy("Merged: its notes, e-mails and calls are on this incident now."),
    "called_back": gettext_lazy("Recorded: the requester was called back."),
    "hold": gettext_lazy("Legal hold set: its personal information is kept."),
    "release_hold": gettext_lazy("Legal hold ended."),
}


def _available(user, incident) -> dict[str, bool]:
    """Which actions to offer: the permission and the transition table both allow them."""
    has = lambda p: has_permission(user, p)  # noqa: E731
    return {
        "start": has(perms.NOTE) and rules.next_status("start", incident.status) is not None,
        "escalate": has(perms.ESCALATE) and incident.is_open,
        "resolve": has(perms.RESOLVE) and rules.next_status("resolve", incident.status) is not None,
        "close": has(perms.CLOSE) and rules.next_status("close", incident.status) is not None,
        "reopen": has(perms.REOPEN) and rules.next_status("reopen", incident.status) is not None,
        "note": has(perms.NOTE),
        "reclassify": has(perms.RECLASSIFY),
        "priority": has(perms.REPRIORITIZE) and incident.is_open,
        "patient_safety": has(perms.NOTE),
        "symptom": has(perms.CLASSIFY) and incident.to_classify,
        "attach": has(perms.NOTE)
        and incident.is_open
        and not incident.parent_id
        and not incident.merged_into_id,
        "detach": has(perms.NOTE) and bool(incident.parent_id),
        "merge": has(perms.RESOLVE)
        and not incident.merged_into_id
        and rules.next_status("merge", incident.status) is not None,
        "called_back": has(perms.NOTE),
        "hold": has(perms.LEGAL_HOLD),
    }


def _detail_context(request, incident, forms=None):
    forms = forms or {}
    available = _available(request.user, incident)
    next_level = min(incident.level + 1, 3)
    defaults = {
        "start": EmptyForm(),
        "close": EmptyForm(),
        "escalate": EscalateForm(initial={"to_level": next_level}),
        "resolve": ResolveForm(),
        "reopen": ReasonForm(),
        "note": NoteForm(),
        "symptom": SymptomForm(),
        "reclassify": ReclassifyForm(
            initial={
                "severity": Severity.MINOR
                if incident.severity == Severity.MAJOR
                else Severity.MAJOR
            }
        ),
        "priority": PriorityForm(initial={"impact": incident.impact, "urgency": incident.urgency}),
        "safety": PatientSafetyForm(initial={"level": incident.patient_safety or "possible"}),
        "attach": AttachForm(),
        "detach": ReasonForm(),
        "merge": MergeForm(),
        "called_back": EmptyForm(),
        "hold": ReasonForm(),
        "release_hold": ReasonForm(),
    }
    for name, form in defaults.items():
        form.auto_id = _auto_id(name)  # several forms have a reason: one id each
    defaults.update(forms)
    defaults["escalate"].fields["to_level"].choices = [
        (
            n,
            _("Level %(level)s: record a partner's reference") % {"level": n}
            if same
            else _("Level %(level)s") % {"level": n},
        )
        for n, same in rules.escalation_targets(incident.level)
    ]
    return {
        "incident": incident,
        "policy": IncidentPolicy.objects.filter(institution=incident.institution).first(),
        "available": available,
        "forms": defaults,
        "timeline": [timeline.describe(ev) for ev in selectors.timeline(incident)],
        "symptoms": list(services.symptoms_of(incident.institution).values())
        if available["symptom"]
        else [],
        "assignees": [
            {"role_label": dict(Role.choices).get(a["role"], a["role"]), "user": a["user"]}
            for a in selectors.active_assignees(incident)
        ],
        "escalations": incident.escalations.select_related("by"),
        # the calls attached to it (a major incident in progress), and those to call back
        "attached": list(selectors.attached_calls(incident)),
        "hold": retention.hold_of(incident),
        "history": selectors.requester_history(request.user, incident),
        "logged": request.GET.get("logged") == "1",
        "plan": _stored_plan(incident.route_plan),
        # its e-mails, session, notices and problems: from the apps that own them
        "panels": panels.of("incident", request, incident),
        # seed 002: the provincial desk a local desk's ticket goes to at level 2
        "desk_phone": display_phone(
            (incident.institution.settings or {}).get("desk_phone", ""), incident.institution.region
        ),
        # the number the agent reads back to the caller comes before any banner
        "reads_back": True,
    }


def _find(request, number):
    institution = current_institution(request)
    try:
        return selectors.get_incident(request.user, institution, number)
    except NotFound:
        return selectors.find(request.user, number)


@login_required
@shows_errors
def detail(request, number):
    return render(
        request, "incidents/detail.html", _detail_context(request, _find(request, number))
    )


@login_required
@require_POST
@shows_errors
def act(request, number, action):
    if action not in ACTIONS:
        raise NotFound(action, field="action")
    incident = _find(request, number)
    form_class, call = ACTIONS[action]
    partial = request.htmx and action == "note"  # the note keeps the page, its list grows

    def page(status, **forms):
        ctx = _detail_context(request, incident, {action: forms["form"]})
        ctx["failed_action"] = action
        template = "incidents/detail.html#activity" if partial else "incidents/detail.html"
        return render(request, template, ctx, status=status)

    def then(result):
        # a merge answers with the one kept; called back: back to the parent's list
        number = incident.number
        if action == "merge":
            number = result.number
        elif action == "called_back" and incident.parent_id:
            number = incident.parent.number
        after = selectors.get_incident(request.user, incident.institution, number)
        if partial:
            return render(
                request, "incidents/detail.html#activity", _detail_context(request, after)
            )
        if action in DONE:
            messages.success(request, DONE[action])
        return redirect("incidents:detail", number=after.number)

    return act_on(
        request,
        lambda data: call(request.user, incident, data),
        form=form_class(request.POST, auto_id=_auto_id(action)),
        field_map=FIELD_MAP,
        page=page,
        then=then,
    )


def _stored_plan(plan: dict | None) -> dict | None:
    """The plan kept on the incident, with its instants as datetimes again for display."""
    if not plan:
        return None

    plan = {**plan, "at": parse_datetime(plan["at"])}
    for level in plan["levels"]:
        for step in level["steps"]:
            for c in step["channels"]:
                c["next_open"] = parse_datetime(c["next_open"]) if c.get("next_open") else None
    return plan
