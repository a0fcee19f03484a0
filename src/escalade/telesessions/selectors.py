"""Read views of sessions, the protocol and the follow-up work."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import belongs_to, has_permission, institutions_of
from escalade.core.errors import NotFound
from escalade.core.i18n import pick
from escalade.incidents.models import Incident

from . import rules
from .choices import ProtocolState, Recommendation, TaskKind, TaskState
from .models import FollowUpTask, Protocol, TeleSession


def get_session(user, session_id: int) -> TeleSession:
    """The session of this id in one of the user's institutions, or NotFound."""
    session = TeleSession.objects.select_related("institution").filter(pk=session_id).first()
    if (
        session is None
        or not belongs_to(user, session.institution_id)
        or not has_permission(user, perms.SESSION_VIEW)
    ):
        raise NotFound(_("No session #%(id)s.") % {"id": session_id}, field="id")
    return session


def session_for_ref(institution, ref: str) -> TeleSession | None:
    """The session an incident's reference names: `#12` (the session's number, as the live
    protocol writes it) or the scheduling reference read out on the phone (TS-2026-118)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    qs = TeleSession.objects.filter(institution=institution)
    number = ref.lstrip("#")
    if number.isdigit() and len(number) < 10:
        found = qs.filter(pk=int(number)).first()
        if found is not None:
            return found
    return qs.filter(external_ref__iexact=ref).order_by("-start").first()


def sheet(session: TeleSession):
    """The session's technical sheet (seed 000): every incident logged on it, minor ones
    as their sheet rows, major ones with their ticket, oldest first."""

    refs = Q(session_ref=f"#{session.pk}")
    if session.external_ref:
        refs |= Q(session_ref__iexact=session.external_ref)
    return (
        Incident.objects.filter(refs, institution=session.institution)
        .select_related("symptom", "ticket", "sheet_entry")
        .order_by("created_at")
    )


def sessions(user, institution, upcoming_only: bool = False):
    """The institution's sessions (those not over yet, if asked)."""
    qs = TeleSession.objects.filter(institution=institution)
    if upcoming_only:
        qs = qs.filter(end__gte=timezone.now())
    return qs


def can_see_patients(user, where) -> bool:
    """Whether the user's roles at the institution `where` names (a session, an
    institution) may see patients' personal health information."""
    return has_permission(user, perms.VIEW_PATIENT, where)


def current_protocol(session: TeleSession) -> Protocol | None:
    """The session's latest troubleshooting (under way or ended), or None."""
    return (
        Protocol.objects.filter(session=session)
        .select_related("incident")
        .order_by("-started_at")
        .first()
    )


def live_version(session: TeleSession, protocol: Protocol | None) -> str:
    """What the live part of the session page shows, as one short string: the page polls
    with it and gets 204 (nothing to swap) until someone changes the session or its
    protocol (a step, a mark, a start, a cancellation)."""
    parts = [session.status, session.updated_at.timestamp()]
    if protocol is not None:
        parts += [protocol.pk, protocol.version, protocol.state, protocol.recommendation or ""]
    return "-".join(str(p) for p in parts)


def protocol_view(protocol: Protocol, now=None) -> dict:
    """The troubleshooting as the page and API show it: steps, elapsed time, marks."""
    spec = protocol.session.institution.settings["protocol"]
    kind = protocol.session.kind
    by_n = {s["n"]: s for s in spec["steps"]}
    steps = []
    for step in protocol.steps.select_related("by").order_by("n"):
        data = by_n[step.n]
        steps.append(
            {
                "n": step.n,
                "title": pick(data["title"]),
                "role": pick(rules.step_role(data, kind)),
                "text": pick(data["text"]),
                "state": step.state,
                "note": step.note,
                "by": step.by.get_username() if step.by else None,
                "at": step.at,
            }
        )
    elapsed = protocol.elapsed_s(now)
    return {
        "id": protocol.pk,
        "session": protocol.session_id,
        "incident": protocol.incident.number,
        "ticket": getattr(getattr(protocol.incident, "ticket", None), "number", None),
        "state": protocol.state,
        "open": protocol.state == ProtocolState.OPEN,
        "started_at": protocol.started_at,
        "elapsed_s": elapsed,
        "elapsed": f"{elapsed // 60:02d}:{elapsed % 60:02d}",
        "recommendation": protocol.recommendation or None,
        "recommendation_label": str(Recommendation(protocol.recommendation).label)
        if protocol.recommendation
        else "",
        "warn_after_min": protocol.warn_after_s // 60,
        "cancel_after_min": protocol.cancel_after_s // 60,
        "steps": steps,
        "version": protocol.version,
    }


def tasks_view(session: TeleSession, show_patients: bool) -> list[dict]:
    """The session's follow-up tasks; patients' names only when `show_patients`."""
    rows = FollowUpTask.objects.filter(session=session).select_related("patient", "session")
    return [_task(t, show_patients) for t in rows]


def _task(t: FollowUpTask, show_patients: bool) -> dict:
    patient = None
    if t.patient is not None:
        patient = (
            {
                "id": t.patient.pk,
                "name": t.patient.name,
                "phone": t.patient.phone,
                "appointment": t.patient.appointment,
            }
            if show_patients
            else {"id": t.patient.pk}
        )
    return {
        "id": t.pk,
        "session": t.session_id,
        "kind": t.kind,
        "kind_label": str(TaskKind(t.kind).label),
        "patient": patient,
        "assignee_role": t.assignee_role,
        "assignee_name": t.assignee_name,
        "state": t.state,
        "done_at": t.done_at,
        "cancel_reason": t.session.cancel_reason,
        "session_start": t.session.start,
    }


def open_tasks(user) -> list[dict]:
    """Follow-up work of cancelled sessions in the user's institutions, oldest first."""
    rows = FollowUpTask.objects.filter(
        session__institution__in=institutions_of(user), state=TaskState.OPEN
    ).select_related("patient", "session__institution")
    return [_task(t, can_see_patients(user, t.session)) | {"session_obj": t.session} for t in rows]


def in_trouble(institution) -> list[dict]:
    """Sessions being troubleshot now, longest first: for the wallboard (no patients)."""
    rows = (
        Protocol.objects.filter(session__institution=institution, state=ProtocolState.OPEN)
        .select_related("session", "incident")
        .order_by("started_at")
    )
    now = timezone.now()
    return [
        {
            "session": p.session,
            "incident": p.incident.number,
            "started_at": p.started_at,
            "elapsed_s": p.elapsed_s(now),
            "recommendation": p.recommendation,
            "recommendation_label": str(Recommendation(p.recommendation).label)
            if p.recommendation
            else "",
        }
        for p in rows
    ]


def open_task_count(institution) -> int:
    """How many follow-up tasks of cancelled sessions are still open."""
    return FollowUpTask.objects.filter(
        session__institution=institution, state=TaskState.OPEN
    ).count()


def incident_panel(request, incident) -> dict:
    """The incident page's session row: the session its reference names, if any."""
    return {"session": session_for_ref(incident.institution, incident.session_ref)}


def trouble_panel(request, institution) -> list[dict]:
    """The wallboard's cell of sessions in trouble, with their clocks."""
    return in_trouble(institution)


def tasks_panel(request, institution) -> int:
    """The wallboard's count of follow-up tasks after cancelled sessions."""
    return open_task_count(institution)


def find_for_search(user, institution, text: str) -> str | None:
    """The header's search box: a session's reference (#12 or the scheduling
    reference) goes to its page, for those who see sessions."""
    if not (text.startswith("#") or any(c.isalpha() for c in text)):
        return None
    if not has_permission(user, perms.SESSION_VIEW):
        return None
    session = session_for_ref(institution, text)
    return reverse("telesessions:detail", args=[session.pk]) if session else None
