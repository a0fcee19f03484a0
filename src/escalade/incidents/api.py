"""The incidents API: intake, lists, detail with timeline, and every move."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from escalade.accounts import rules as perms
from escalade.accounts.choices import Role
from escalade.accounts.services import has_permission, resolve_institution
from escalade.core import panels
from escalade.core.choices import AuditAction
from escalade.core.errors import Invalid
from escalade.core.i18n import pick
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import LegalHoldOut, StrictBool, errors_for, legal_hold_out, one_of
from escalade.incidents.choices import (
    Channel,
    Language,
    Level,
    PartnerKind,
    Rating,
    RequesterRole,
    Severity,
)
from escalade.incidents.choices import Status as IncidentStatus
from escalade.routing.choices import Location, Need, Subject
from escalade.routing.errors import RoutingError

from . import selectors, services
from .errors import IncidentError
from .models import Incident

router = Router(tags=["incidents"])
ERRORS = errors_for("Incidents", IncidentError, RoutingError)


class RequesterIn(Schema):
    name: str = Field(max_length=200)
    role: one_of(RequesterRole) = Field(description="who calls")
    site: str = Field(max_length=200)
    phone: str = Field("", max_length=40, description="e.g. 514-934-1934 ext. 36000")
    phone_ext: str = Field("", max_length=10)
    email: str = Field("", max_length=254, description="to write to the requester (notes)")
    language: one_of("", Language) = Field(
        "", description="fr or en: what they are told is written in it (blank: the product's)"
    )


class RouteQuestionIn(Schema):
    need: one_of(Need) = Field(description="technical_problem or app_question")
    subject: one_of(Subject)
    location: one_of("", Location) = ""


class IncidentIn(Schema):
    institution: str | None = Field(None, description="code; needed only for users of several")
    channel: one_of(Channel) = Field("api", description="how the request came")
    requester: RequesterIn
    session_ref: str = Field("", max_length=60, description="telehealth session reference")
    symptom: str = Field(description="a symptom category code of the institution's pack")
    summary: str = Field(max_length=200)
    description: str = ""
    resolved_on_first_call: StrictBool = False
    impact: one_of(Rating) | None = Field(None, description="high, medium or low")
    urgency: one_of(Rating) | None = Field(None, description="high, medium or low")
    route: RouteQuestionIn | None = Field(
        None, description="the routing question (institutions with a chart): the plan is kept"
    )
    guide_step: int | None = Field(
        None,
        ge=1,
        le=50,
        description="solved on the call at this step of the symptom's diagnostic guide "
        "(GET /api/guides/{symptom}): resolved on the first call, the step counted",
    )
    guide_version: int | None = Field(
        None, ge=1, description="the guide's version read (default: the current one)"
    )
    attach_to: str = Field(
        "",
        max_length=30,
        description="the number of a major incident in progress this call is about "
        "(GET /api/incidents/known): logged as one of its attached calls, no ticket of its own",
    )


class Out(BaseModel):
    """Answers built as dicts by `serialize()`: plain pydantic models, validated in
    pydantic's compiled core. Django Ninja's Schema wraps every nested object to read
    model attributes, which these answers do not need (a page of 50 incidents: 150
    wrapped objects)."""


class ClassificationOut(Out):
    rule: str
    reason: str


class TicketOut(Out):
    number: str
    opened_at: dt.datetime


class AssigneeOut(Out):
    role: one_of(Role)
    user: str | None


class RequesterOut(Out):
    name: str
    role: one_of(RequesterRole)
    site: str
    phone: str
    phone_ext: str
    email: str
    language: one_of("", Language)


class GuideStepOut(Out):
    version: int
    step: int


class IncidentOut(Out):
    number: str
    institution: str
    channel: one_of(Channel)
    requester: RequesterOut
    session_ref: str
    symptom: str
    symptom_label: str
    summary: str
    description: str
    resolved_on_first_call: bool
    severity: one_of(Severity)
    classification: ClassificationOut
    level: one_of(Level)
    status: one_of(IncidentStatus)
    ticket: TicketOut | None
    impact: one_of(Rating)
    urgency: one_of(Rating)
    priority: one_of(1, 2, 3, 4, 5)
    resolution: str
    assignees: list[AssigneeOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    route_plan: dict | None = Field(None, description="the routing chart's plan at intake")
    to_classify: bool = Field(
        description="logged without a symptom the pack's words name (e-mail): level 1 chooses"
    )
    parent: str | None = Field(
        None, description="the major incident in progress this call is attached to"
    )
    merged_into: str | None = Field(
        None, description="merged: the number of the incident kept, where its work goes on"
    )
    guide: GuideStepOut | None = Field(
        None, description="solved on the call at this step of its diagnostic guide"
    )


class TimelineEventOut(Out):
    at: dt.datetime
    action: one_of(AuditAction)
    actor: str | None
    changes: dict
    data: dict


class EscalationOut(Out):
    from_level: one_of(Level)
    to_level: one_of(Level)
    reason: str
    partner: str
    partner_kind: one_of("", PartnerKind)
    external_ref: str
    by: str
    at: dt.datetime


class ClockOut(Out):
    target: one_of("first_response", "resolution")
    due: dt.datetime | None = Field(description="when it reaches its target; none while paused")
    remaining_seconds: int = Field(description="counted time left, negative once passed")
    paused: bool = Field(description="a partner holds the incident (level 3)")
    breached: bool
    state: one_of("running", "paused", "met", "stopped")
    business_hours: bool = Field(description="counted in business hours only, not 24/7")


class AttachedCallOut(Out):
    number: str
    requester: str
    phone: str
    language: one_of("", Language)
    status: one_of(IncidentStatus)
    attached_at: dt.datetime | None
    told_at: dt.datetime | None = Field(
        description="when the requester was told of the resolution (e-mail or called back)"
    )


class IncidentDetailOut(IncidentOut):
    follows: str | None = Field(None, description="the closed request this one follows up")
    attached_calls: list[AttachedCallOut] = Field(
        description="the calls attached to this major incident, in the order they came"
    )
    escalations: list[EscalationOut]
    timeline: list[TimelineEventOut]
    sla: list[ClockOut] = Field(
        description="the response clocks the institution's pack gives it (none: no target)"
    )


class EscalateIn(Schema):
    to_level: int = Field(ge=1, le=3)
    reason: str
    partner: str = ""
    partner_kind: one_of("", PartnerKind) = ""
    external_ref: str = ""


class ResolveIn(Schema):
    resolution: str = ""


class ReasonIn(Schema):
    reason: str


class NoteIn(Schema):
    text: str
    to_requester: StrictBool = Field(
        False, description="also e-mail it to the requester, in the request's thread"
    )


class NoteOut(Schema):
    id: int
    text: str
    author: str | None
    to_requester: bool
    by_requester: bool
    created_at: dt.datetime


class SymptomIn(Schema):
    symptom: str = Field(description="a symptom category code of the institution's pack")


class ReclassifyIn(Schema):
    severity: one_of(Severity)
    reason: str


class PriorityIn(Schema):
    impact: one_of(Rating)
    urgency: one_of(Rating)
    reason: str


def serialize(incident: Incident, assignees=None) -> dict:
    ticket = getattr(incident, "ticket", None)
    return {
        "number": incident.number,
        "institution": incident.institution.code,
        "channel": incident.channel,
        "requester": {
            "name": incident.requester_name,
            "role": incident.requester_role,
            "site": incident.requester_site,
            "phone": incident.requester_phone,
            "phone_ext": incident.requester_phone_ext,
            "email": incident.requester_email,
            "language": incident.requester_language,
        },
        "session_ref": incident.session_ref,
        "symptom": incident.symptom.code,
        "symptom_label": pick(incident.symptom.label),
        "summary": incident.headline,  # in the reader's language when the product wrote it
        "description": incident.description,
        "resolved_on_first_call": incident.resolved_on_first_call,
        "severity": incident.severity,
        "classification": {"rule": incident.classification_rule, "reason": incident.reason},
        "level": incident.level,
        "status": incident.status,
        "ticket": {"number": ticket.number, "opened_at": ticket.opened_at} if ticket else None,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "priority": incident.priority,
        "resolution": incident.resolution,
        "assignees": assignees if assignees is not None else selectors.active_assignees(incident),
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
        "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at,
        "route_plan": incident.route_plan,
        "to_classify": incident.to_classify,
        "parent": incident.parent.number if incident.parent_id else None,
        "merged_into": incident.merged_into.number if incident.merged_into_id else None,
        "guide": {"version": incident.guide.version, "step": incident.guide_step}
        if incident.guide_id
        else None,
    }


def _detail(incident: Incident) -> dict:
    incident = Incident.objects.select_related(
        "institution", "symptom", "ticket", "parent", "merged_into"
    ).get(pk=incident.pk)
    out = serialize(incident)
    out["attached_calls"] = [
        {
            "number": c.number,
            "requester": c.requester_name,
            "phone": c.requester_phone,
            "language": c.requester_language,
            "status": c.status,
            "attached_at": c.attached_at,
            "told_at": c.told_at,
        }
        for c in selectors.attached_calls(incident)
    ]
    out["follows"] = incident.follows.number if incident.follows_id else None
    # what the apps built on incidents add to its answer (the on-call app: its clocks)
    out["sla"] = panels.of("incident_api", None, incident).data.get("sla") or []
    out["escalations"] = [
        {
            "from_level": e.from_level,
            "to_level": e.to_level,
            "reason": e.reason,
            "partner": e.partner,
            "partner_kind": e.partner_kind,
            "external_ref": e.external_ref,
            "by": e.by.get_username(),
            "at": e.at,
        }
        for e in incident.escalations.select_related("by")
    ]
    out["timeline"] = [
        {
            "at": ev.at,
            "action": ev.action,
            "actor": ev.actor.get_username() if ev.actor else None,
            "changes": ev.changes,
            "data": ev.data,
        }
        for ev in selectors.timeline(incident)
    ]
    return out


@router.post("", response={201: IncidentOut, **ERRORS}, summary="Log a request for assistance")
def create_incident(request, payload: IncidentIn):
    institution = resolve_institution(request.auth, payload.institution)
    incident = services.log_incident(
        request.auth,
        institution,
        services.IncidentInput(
            channel=payload.channel,
            requester_name=payload.requester.name,
            requester_role=payload.requester.role,
            requester_site=payload.requester.site,
            requester_phone=payload.requester.phone,
            requester_phone_ext=payload.requester.phone_ext,
            requester_email=payload.requester.email,
            session_ref=payload.session_ref,
            symptom=payload.symptom,
            summary=payload.summary,
            description=payload.description,
            resolved_on_first_call=payload.resolved_on_first_call,
            impact=payload.impact,
            urgency=payload.urgency,
            need=payload.route.need if payload.route else "",
            subject=payload.route.subject if payload.route else "",
            location=payload.route.location if payload.route else "",
            attach_to=payload.attach_to,
            guide_step=payload.guide_step,
            guide_version=payload.guide_version,
            requester_language=payload.requester.language,
        ),
    )
    return Status(201, serialize(incident, assignees=incident.new_assignees))


class ListFilters(Schema):
    institution: str | None = None
    level: int | None = Field(None, ge=1, le=3)
    severity: one_of(Severity) | None = None
    status: one_of(IncidentStatus, "open") | None = Field(None, description="a status, or open")
    symptom: str | None = None
    site: str | None = None
    q: str | None = Field(
        None,
        max_length=200,
        description="what the search box takes: an incident, C2 ticket or partner's ticket "
        "number, a phone in any format (514-934-1934, 5149341934, +15149341934), else "
        "words searched in number, summary, description, requester, site",
    )
    phone: str | None = Field(
        None, max_length=40, description="the caller's phone, any format (514-934-1934)"
    )


def _phone_filter(raw: str | None, region: str) -> str | None:
    if not raw:
        return None
    phone = selectors.as_phone(raw, region)
    if phone is None:
        raise Invalid(_("'%(value)s' is not a phone number.") % {"value": raw}, field="phone")
    return phone


@router.get("", response={200: page_of(IncidentOut), **ERRORS}, summary="List and search incidents")
def list_incidents(request, filters: Query[ListFilters], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, filters.institution)
    qs = selectors.search(
        selectors.visible_incidents(request.auth, institution),
        level=filters.level,
        severity=filters.severity,
        status=filters.status,
        symptom=filters.symptom,
        site=filters.site,
        q=filters.q,
        phone=_phone_filter(filters.phone, institution.region),
        region=institution.region,
        mail_text=has_permission(request.auth, perms.VIEW_PATIENT, institution),
    )
    assignees: dict = {}

    def prepare(rows: list) -> None:
        for row in rows:
            row.institution = institution  # one institution per list: no join needed
        assignees.update(selectors.assignees_by_incident(rows))

    return paginate(
        qs,
        page,
        order=("-id",),
        prepare=prepare,
        serialize=lambda i: serialize(i, assignees.get(i.pk, [])),
        heavy=True,
    )


class KnownFilters(Schema):
    institution: str | None = None
    site: str = Field("", max_length=200, description="the caller's site, as typed")
    symptom: str = Field("", max_length=40, description="the symptom chosen")


class KnownOut(Out):
    number: str
    summary: str
    site: str
    symptom: str
    since: dt.datetime
    level: one_of(Level)
    match: one_of("both", "site", "symptom", "outage") = Field(
        description="what the call shares with it (an outage is shown to every call)"
    )
    outage: bool = Field(description="an outage runbook is active for it")
    attached_calls: int


@router.get(
    "/known",
    response={200: page_of(KnownOut), **ERRORS},
    summary="Major incidents in progress a call may be about (by site or symptom)",
)
def known_incidents(request, filters: Query[KnownFilters], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, filters.institution)
    services.require(request.auth, perms.LOG, institution)
    return paginate(_known(institution, filters), page)


def _known(institution, filters: KnownFilters) -> list[dict]:
    return [
        {
            "number": k["incident"].number,
            "summary": k["incident"].headline,
            "site": k["incident"].requester_site,
            "symptom": k["incident"].symptom.code,
            "since": k["incident"].created_at,
            "level": k["incident"].level,
            "match": k["match"],
            "outage": k["outage"],
            "attached_calls": k["calls"],
        }
        for k in selectors.known_in_progress(
            institution, site=filters.site, symptom=filters.symptom
        )
    ]


@router.get(
    "/{number}", response={200: IncidentDetailOut, **ERRORS}, summary="An incident and its timeline"
)
def get_incident(request, number: str):
    return _detail(selectors.find(request.auth, number))


@router.post(
    "/{number}/escalate",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Escalate to level 2 or 3",
)
def escalate(request, number: str, payload: EscalateIn):
    incident = services.escalate(
        request.auth,
        selectors.find(request.auth, number),
        to_level=payload.to_level,
        reason=payload.reason,
        partner=payload.partner,
        partner_kind=payload.partner_kind,
        external_ref=payload.external_ref,
    )
    return _detail(incident)


@router.post(
    "/{number}/start", response={200: IncidentDetailOut, **ERRORS}, summary="Take in charge"
)
def start(request, number: str):
    return _detail(services.start(request.auth, selectors.find(request.auth, number)))


@router.post("/{number}/resolve", response={200: IncidentDetailOut, **ERRORS}, summary="Resolve")
def resolve(request, number: str, payload: ResolveIn):
    return _detail(
        services.resolve(request.auth, selectors.find(request.auth, number), payload.resolution)
    )


@router.post("/{number}/close", response={200: IncidentDetailOut, **ERRORS}, summary="Close")
def close_incident(request, number: str):
    return _detail(services.close(request.auth, selectors.find(request.auth, number)))


@router.post(
    "/{number}/reopen", response={200: IncidentDetailOut, **ERRORS}, summary="Reopen, with a reason"
)
def reopen(request, number: str, payload: ReasonIn):
    return _detail(
        services.reopen(request.auth, selectors.find(request.auth, number), payload.reason)
    )


@router.post("/{number}/notes", response={201: NoteOut, **ERRORS}, summary="Add a note")
def add_note(request, number: str, payload: NoteIn):
    incident = selectors.find(request.auth, number)
    note = services.add_note(
        request.auth, incident, payload.text, to_requester=payload.to_requester
    )
    return Status(
        201,
        {
            "id": note.pk,
            "text": note.text,
            "author": note.author.get_username() if note.author else None,
            "to_requester": note.to_requester,
            "by_requester": note.by_requester,
            "created_at": note.created_at,
        },
    )


@router.post(
    "/{number}/symptom",
    response={200: IncidentOut, **ERRORS},
    summary="Choose the symptom of an incident to classify",
)
def choose_symptom(request, number: str, payload: SymptomIn):
    incident = services.choose_symptom(
        request.auth, selectors.find(request.auth, number), payload.symptom
    )
    return serialize(Incident.objects.select_related("institution", "symptom").get(pk=incident.pk))


@router.post(
    "/{number}/reclassify",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Reclassify by hand",
)
def reclassify(request, number: str, payload: ReclassifyIn):
    return _detail(
        services.reclassify(
            request.auth, selectors.find(request.auth, number), payload.severity, payload.reason
        )
    )


@router.post(
    "/{number}/priority",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Re-evaluate the priority",
)
def reprioritize(request, number: str, payload: PriorityIn):
    return _detail(
        services.reprioritize(
            request.auth,
            selectors.find(request.auth, number),
            payload.impact,
            payload.urgency,
            payload.reason,
        )
    )


class PatientSafetyIn(Schema):
    level: one_of("possible", "confirmed") = Field(description="possible or confirmed")
    note: str = ""


@router.post(
    "/{number}/patient-safety",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Flag a (possible) impact on a patient's safety: the manager is told",
)
def patient_safety(request, number: str, payload: PatientSafetyIn):
    return _detail(
        services.flag_patient_safety(
            request.auth, selectors.find(request.auth, number), payload.level, payload.note
        )
    )


class AttachIn(Schema):
    parent: str = Field(max_length=30, description="the major incident in progress")


class MergeIn(Schema):
    into: str = Field(max_length=30, description="the number of the incident kept")


@router.post(
    "/{number}/attach",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Attach to a major incident in progress (resolved with it)",
)
def attach_incident(request, number: str, payload: AttachIn):
    return _detail(
        services.attach(request.auth, selectors.find(request.auth, number), payload.parent)
    )


@router.post(
    "/{number}/detach",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Detach from its incident (a different problem), with a reason",
)
def detach_incident(request, number: str, payload: ReasonIn):
    return _detail(
        services.detach(request.auth, selectors.find(request.auth, number), payload.reason)
    )


@router.post(
    "/{number}/merge",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Merge into another incident (the one kept is answered)",
)
def merge_incident(request, number: str, payload: MergeIn):
    return _detail(services.merge(request.auth, selectors.find(request.auth, number), payload.into))


@router.post(
    "/{number}/called-back",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Record that the requester of a resolved attached call was called back",
)
def requester_called_back(request, number: str):
    return _detail(services.called_back(request.auth, selectors.find(request.auth, number)))


@router.post(
    "/{number}/legal-hold",
    response={201: LegalHoldOut, **ERRORS},
    summary="Put under a legal hold (a manager, with the reason): kept past retention",
)
def set_legal_hold(request, number: str, payload: ReasonIn):
    hold = services.legal_hold(request.auth, selectors.find(request.auth, number), payload.reason)
    return Status(201, legal_hold_out(hold))


@router.post(
    "/{number}/legal-hold/release",
    response={200: LegalHoldOut, **ERRORS},
    summary="End the legal hold, with the reason",
)
def release_legal_hold(request, number: str, payload: ReasonIn):
    return legal_hold_out(
        services.release_legal_hold(
            request.auth, selectors.find(request.auth, number), payload.reason
        )
    )


# -- level 1's diagnostic guides (/api/guides) --------------------------------------

guides_router = Router(tags=["diagnostic guides"])


class GuideTextIn(Schema):
    fr: str = Field(max_length=500)
    en: str = Field(max_length=500)


class GuideStepIn(Schema):
    text: GuideTextIn


class GuideIn(Schema):
    institution: str | None = None
    steps: list[GuideStepIn] = Field(description="in the order they are run, 1 to 20")


class GuideStepFigureOut(Out):
    step: int
    text: str = Field(description="in the reader's language")
    text_fr: str
    text_en: str
    solved: int = Field(description="calls solved at this step")


class GuideOut(Out):
    symptom: str
    symptom_label: str
    version: int
    current: bool
    created_at: dt.datetime
    created_by: str | None
    steps: list[GuideStepFigureOut]
    solved: int = Field(description="calls solved by this version")
    calls: int = Field(description="calls with this symptom while this version was in use")


class GuideQuery(Schema):
    institution: str | None = None


def _guide_out(guide, figures: dict) -> dict:
    return {
        "symptom": guide.symptom.code,
        "symptom_label": pick(guide.symptom.label),
        "version": guide.version,
        "current": guide.current,
        "created_at": guide.created_at,
        "created_by": guide.created_by.get_username() if guide.created_by_id else None,
        "steps": [
            {**row, "text_fr": step["text"]["fr"], "text_en": step["text"]["en"]}
            for row, step in zip(figures["steps"], guide.steps, strict=True)
        ],
        "solved": figures["solved"],
        "calls": figures["calls"],
    }


@guides_router.get(
    "", response={200: page_of(GuideOut), **ERRORS}, summary="The guides in use, with their figures"
)
def list_guides(request, q: Query[GuideQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    found = [g for g in selectors.guides_of(institution) if g.current]
    stats = selectors.guide_stats(found)
    return paginate([_guide_out(g, stats[g.pk]) for g in found], page)


@guides_router.get(
    "/{symptom}",
    response={200: page_of(GuideOut), **ERRORS},
    summary="A symptom's guide, every version, newest first",
)
def get_guide(request, symptom: str, q: Query[GuideQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    versions = selectors.guides_of(institution, symptom)
    stats = selectors.guide_stats(versions)
    return paginate([_guide_out(g, stats[g.pk]) for g in versions], page)


@guides_router.put(
    "/{symptom}",
    response={200: GuideOut, **ERRORS},
    summary="Write a symptom's guide again (a new version unless nothing changed)",
)
def put_guide(request, symptom: str, payload: GuideIn):
    institution = resolve_institution(request.auth, payload.institution)
    guide = services.save_guide(
        request.auth, institution, symptom, [s.dict() for s in payload.steps]
    )
    return _guide_out(guide, selectors.guide_stats([guide])[guide.pk])
