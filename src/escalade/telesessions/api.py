"""The telehealth sessions API: sessions, the live protocol, follow-up work."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from escalade.accounts.choices import Role
from escalade.accounts.services import resolve_institution
from escalade.core.errors import Invalid
from escalade.core.idempotency import replay_with
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Instant, LegalHoldOut, errors_for, legal_hold_out, one_of
from escalade.incidents import selectors as incident_selectors
from escalade.incidents.errors import IncidentError
from escalade.telesessions.choices import (
    ProtocolState,
    Recommendation,
    SessionKind,
    SessionStatus,
    StepState,
    TaskKind,
    TaskState,
)

from . import selectors, services
from .errors import SessionError
from .models import TeleSession

router = Router(tags=["telehealth sessions"])
ERRORS = errors_for("Telesessions", SessionError, IncidentError)


class PatientIn(Schema):
    name: str = Field(max_length=200)
    phone: str = Field("", max_length=40)
    appointment: Instant | None = None


class SessionIn(Schema):
    institution: str | None = None
    kind: one_of(SessionKind) = Field(description="point_to_point or multipoint")
    start: Instant
    end: Instant
    requesting_site: str = Field(max_length=200)
    provider_sites: list[str]
    patients: list[PatientIn] = []
    technical_contact: str = ""
    clinical_contact: str = ""
    health_professional: str = ""
    coordinator: str = ""
    external_ref: str = Field("", max_length=60)


class PatientOut(Schema):
    id: int
    name: str | None = None
    phone: str | None = None
    appointment: dt.datetime | None = None


class SessionOut(Schema):
    id: int
    kind: one_of(SessionKind)
    start: dt.datetime
    end: dt.datetime
    requesting_site: str
    provider_sites: list[str]
    technical_contact: str
    clinical_contact: str
    health_professional: str
    coordinator: str
    external_ref: str
    status: one_of(SessionStatus)
    patients: list[PatientOut] = Field(
        description="names and phones only for roles allowed to see them"
    )


class TroubleshootIn(Schema):
    incident: str | None = Field(None, description="the number of an incident already logged")
    symptom: str = "audio_video"
    description: str = ""


class ProtocolStepOut(Schema):
    n: int
    title: str
    role: str
    state: one_of(StepState)
    note: str
    by: str | None
    at: dt.datetime | None


class ProtocolOut(Schema):
    id: int
    incident: str
    ticket: str | None
    state: one_of(ProtocolState)
    started_at: dt.datetime
    elapsed_s: int
    recommendation: one_of(Recommendation) | None
    steps: list[ProtocolStepOut]
    version: int


class StepIn(Schema):
    state: one_of("done", "not_applicable") = Field(description="done or not_applicable")
    note: str = ""


class CancelIn(Schema):
    reason: str


class TaskOut(Schema):
    id: int
    kind: one_of(TaskKind)
    patient: PatientOut | None
    assignee_role: one_of(Role)
    assignee_name: str = Field("", description="steps 7-8: the requesting site's person")
    state: one_of(TaskState)
    session_start: dt.datetime = Field(description="when the cancelled session was to start")
    cancel_reason: str = Field(description="why the session was cancelled")


def session_out(session: TeleSession, user) -> dict:
    show = selectors.can_see_patients(user, session)
    if show and session.patients.exists():
        services.record_patient_access(user, session, "api")
    return {
        **{
            f: getattr(session, f)
            for f in (
                "id",
                "kind",
                "start",
                "end",
                "requesting_site",
                "provider_sites",
                "technical_contact",
                "clinical_contact",
                "health_professional",
                "coordinator",
                "external_ref",
                "status",
            )
        },
        "patients": [
            {"id": p.pk, "name": p.name, "phone": p.phone, "appointment": p.appointment}
            if show
            else {"id": p.pk}
            for p in session.patients.all()
        ],
    }


@router.post("/telesessions", response={201: SessionOut, **ERRORS}, summary="Schedule a session")
def create(request, payload: SessionIn):
    institution = resolve_institution(request.auth, payload.institution)
    session = services.create_session(
        request.auth,
        institution,
        services.SessionInput(
            kind=payload.kind,
            start=payload.start,
            end=payload.end,
            requesting_site=payload.requesting_site,
            provider_sites=payload.provider_sites,
            patients=[
                services.PatientInput(p.name, p.phone, p.appointment) for p in payload.patients
            ],
            technical_contact=payload.technical_contact,
            clinical_contact=payload.clinical_contact,
            health_professional=payload.health_professional,
            coordinator=payload.coordinator,
            external_ref=payload.external_ref,
        ),
    )
    replay_with(request, f"/api/telesessions/{session.pk}")  # a retry reads it again, audited
    return Status(201, session_out(session, request.auth))


@router.get(
    "/telesessions/{int:session_id}", response={200: SessionOut, **ERRORS}, summary="A session"
)
def get(request, session_id: int):
    return session_out(selectors.get_session(request.auth, session_id), request.auth)


@router.post(
    "/telesessions/{int:session_id}/troubleshoot",
    response={201: ProtocolOut, **ERRORS},
    summary="Start the live troubleshooting protocol",
)
def troubleshoot(request, session_id: int, payload: TroubleshootIn):
    session = selectors.get_session(request.auth, session_id)
    incident = incident_selectors.find(request.auth, payload.incident) if payload.incident else None
    protocol = services.start_troubleshooting(
        request.auth,
        session,
        symptom=payload.symptom,
        description=payload.description,
        incident=incident,
    )
    replay_with(request, f"/api/telesessions/{session.pk}/protocol")
    return Status(201, selectors.protocol_view(protocol))


@router.get(
    "/telesessions/{int:session_id}/protocol",
    response={200: ProtocolOut, **ERRORS},
    summary="The protocol, live",
)
def protocol(request, session_id: int):
    session = selectors.get_session(request.auth, session_id)
    current = selectors.current_protocol(session)
    if current is None:
        raise Invalid(
            _("No troubleshooting on this session yet."),
            field="session",
            code=SessionError.NO_PROTOCOL_RUNNING,
        )
    return selectors.protocol_view(current)


@router.post(
    "/telesessions/{int:session_id}/protocol/steps/{int:n}",
    response={200: ProtocolOut, **ERRORS},
    summary="Mark a step done or not applicable",
)
def step(request, session_id: int, n: int, payload: StepIn):
    session = selectors.get_session(request.auth, session_id)
    services.mark_step(request.auth, session, n, payload.state, payload.note)
    replay_with(request, f"/api/telesessions/{session.pk}/protocol")
    return selectors.protocol_view(selectors.current_protocol(session))


@router.post(
    "/telesessions/{int:session_id}/cancel",
    response={200: SessionOut, **ERRORS},
    summary="Cancel the session (creates the follow-up work)",
)
def cancel(request, session_id: int, payload: CancelIn):
    session = selectors.get_session(request.auth, session_id)
    cancelled = services.cancel_session(request.auth, session, payload.reason)
    replay_with(request, f"/api/telesessions/{session.pk}")
    return session_out(cancelled, request.auth)


@router.get(
    "/telesessions/{int:session_id}/tasks",
    response={200: page_of(TaskOut), **ERRORS},
    summary="Follow-up work after a cancel",
)
def tasks(request, session_id: int, page: Query[PageQuery]):
    session = selectors.get_session(request.auth, session_id)
    show = selectors.can_see_patients(request.auth, session)
    if show:
        services.record_patient_access(request.auth, session, "api tasks")
    return paginate(selectors.tasks_view(session, show), page)


@router.post(
    "/telesessions/{int:session_id}/legal-hold",
    response={201: LegalHoldOut, **ERRORS},
    summary="Put the session under a legal hold (a manager, with the reason)",
)
def set_session_hold(request, session_id: int, payload: CancelIn):
    session = selectors.get_session(request.auth, session_id)
    return Status(201, legal_hold_out(services.legal_hold(request.auth, session, payload.reason)))


@router.post(
    "/telesessions/{int:session_id}/legal-hold/release",
    response={200: LegalHoldOut, **ERRORS},
    summary="End the session's legal hold, with the reason",
)
def release_session_hold(request, session_id: int, payload: CancelIn):
    session = selectors.get_session(request.auth, session_id)
    return legal_hold_out(services.release_legal_hold(request.auth, session, payload.reason))
