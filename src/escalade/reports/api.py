"""Major-incident reports: read, complete, PDF."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from escalade.accounts.services import resolve_institution
from escalade.actions import schemas as action_schemas
from escalade.actions import selectors as action_selectors
from escalade.actions.schemas import ActionOut
from escalade.core.choices import AuditAction
from escalade.core.errors import Invalid, NotFound
from escalade.core.schema import Day, errors_for, one_of
from escalade.incidents import selectors as incident_selectors
from escalade.incidents.choices import PatientSafety

from . import access, services
from .errors import ReportError
from .models import IncidentDeclaration
from .pdf import major_report_pdf

router = Router(tags=["reports"])
ERRORS = errors_for("Reports", ReportError)


class TimelineItem(Schema):
    at: dt.datetime
    action: one_of(AuditAction)
    actor: str | None


class ReportOut(Schema):
    incident: str
    cause: str
    resolution: str
    organisational_repercussions: str
    clinical_repercussions: str
    sessions_cancelled: int
    patients_affected: int
    care_delayed: str
    distribution: list[str]
    complete: bool
    missing: list[str]
    completed_at: dt.datetime | None
    sent_at: dt.datetime | None
    timeline: list[TimelineItem]
    action_items: list[ActionOut] = Field(
        description="the work the report asks for (POST .../actions adds one)"
    )


class ReportIn(Schema):
    cause: str | None = None
    resolution: str | None = None
    organisational_repercussions: str | None = None
    clinical_repercussions: str | None = None
    sessions_cancelled: int | None = None
    patients_affected: int | None = None
    care_delayed: str | None = None
    distribution: list[str] | None = None


def _report(request, number: str):
    incident = incident_selectors.find(request.auth, number)
    if incident.severity != "major":
        raise Invalid(
            _("Only a major incident has a major-incident report."),
            field="number",
            code=ReportError.NOT_MAJOR,
        )
    return services.ensure_draft(incident)


def report_out(report) -> dict:
    return {
        "incident": report.incident.number,
        **{f: getattr(report, f) for f in services.EDITABLE},
        "complete": report.completed_at is not None,
        "missing": report.missing(),
        "completed_at": report.completed_at,
        "sent_at": report.sent_at,
        "timeline": [
            {"at": e.at, "action": e.action, "actor": e.actor.get_username() if e.actor else None}
            for e in incident_selectors.timeline(report.incident)
        ],
        "action_items": [
            action_schemas.serialize(a, today)
            for a in services.action_items(report)
            for today in [action_selectors.local_today(report.incident.institution)]
        ],
    }


@router.get(
    "/reports/major/{number}.pdf", summary="The report as PDF", response={200: None, **ERRORS}
)
def report_pdf(request, number: str):
    report = _report(request, number)
    response = HttpResponse(major_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.incident.number}.pdf"'
    return response


@router.get(
    "/reports/major/{number}",
    response={200: ReportOut, **ERRORS},
    summary="A major-incident report",
)
def get_major_report(request, number: str):
    return report_out(_report(request, number))


@router.put(
    "/reports/major/{number}", response={200: ReportOut, **ERRORS}, summary="Complete the report"
)
def put_report(request, number: str, payload: ReportIn):
    report = _report(request, number)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return report_out(services.update(request.auth, report, values))


class ActionIn(Schema):
    text: str = Field(max_length=2000, description="what is to be done")
    owner: str = Field(max_length=150, description="the username of who does it")
    due: Day = Field(description="by when (a day of the institution)")


@router.post(
    "/reports/major/{number}/actions",
    response={201: ActionOut, **ERRORS},
    summary="Add an action item the report asks for (its owner is told and reminded)",
)
def add_action(request, number: str, payload: ActionIn):
    report = _report(request, number)
    item = services.add_action(request.auth, report, payload.text, payload.owner, payload.due)
    return Status(201, action_schemas.out(item))


class DeclarationOut(Schema):
    incident: str
    form: str
    keyword: str
    level: one_of(PatientSafety.POSSIBLE, PatientSafety.CONFIRMED)
    event_at: dt.datetime
    site: str
    description: str
    filed_at: dt.datetime | None
    external_number: str


@router.get(
    "/incidents/{number}/declaration",
    response={200: DeclarationOut, **ERRORS},
    summary="The incident declaration prepared for a patient-safety event",
    tags=["incidents"],
)
def declaration(request, number: str):
    incident = incident_selectors.find(request.auth, number)
    d = IncidentDeclaration.objects.filter(incident=incident).first()
    if d is None:
        raise NotFound(
            _("No declaration for incident %(number)s.") % {"number": number}, field="number"
        )
    return {
        "incident": incident.number,
        **{
            f: getattr(d, f)
            for f in (
                "form",
                "keyword",
                "level",
                "event_at",
                "site",
                "description",
                "filed_at",
                "external_number",
            )
        },
    }


# -- the access report a patient may ask for ----------------------------------------


class AccessQuery(Schema):
    institution: str | None = None
    name: str = Field("", max_length=200, description="the patient's first and last names")
    birth_date: Day | None = Field(None, description="the patient's birth date")


class AccessRecordOut(Schema):
    kind: one_of("session_patient", "registry_entry")
    where: str = Field(description="the page of the record")
    label: str
    at: dt.datetime


class AccessEventOut(Schema):
    at: dt.datetime
    who: str | None
    why: str
    what: str


class AccessReportOut(Schema):
    records: list[AccessRecordOut]
    accesses: list[AccessEventOut] = Field(description="every recorded display, oldest first")


@router.get(
    "/patients/access-report",
    response={200: AccessReportOut, **ERRORS},
    summary="Every record of one patient and every recorded access to it (roles allowed only)",
)
def patient_access_report(request, q: Query[AccessQuery]):
    institution = resolve_institution(request.auth, q.institution)
    return access.patient_access_report(request.auth, institution, q.name, q.birth_date)
