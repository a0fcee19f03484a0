"""The data sources API (seed 002): sources and their transmissions, the terminology
(worksheets, unmapped codes, mappings, FHIR ConceptMap), and the sealed conformance
reports (their content only for the organisation's designated persons)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Body, Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.catalog.models import Organisation
from escalade.core.errors import NotFound
from escalade.core.i18n import pick
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import errors_for, one_of
from escalade.incidents.errors import IncidentError

from . import selectors, services
from .choices import ErrorState, ProposalState, ReportState, Via
from .errors import DataSourceError
from .rules import write_worksheet

router = Router(tags=["data sources"])
ERRORS = errors_for("DataSources", DataSourceError, IncidentError)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InstitutionQuery(Schema):
    institution: str | None = None


class DataSourceOut(Schema):
    code: str
    name: str
    organisation: str
    system: str
    code_systems: list[str]
    state: one_of("ok", "silent", "rejecting", "never") = Field(
        description="ok, silent, rejecting or never"
    )
    last_transmission_at: dt.datetime | None
    last_messages: int
    last_rejected: int
    last_error_at: dt.datetime | None
    silence_minutes: int
    rejection_threshold: float
    codes: int
    unmapped: int
    incident: str | None = Field(None, description="the incident of the trouble under way")


def _source(s) -> dict:
    return {
        "code": s.code,
        "name": pick(s.label),
        "organisation": s.organisation.code,
        "system": s.system,
        "code_systems": s.code_systems,
        "state": selectors.state(s),
        "last_transmission_at": s.last_transmission_at,
        "last_messages": s.last_messages,
        "last_rejected": s.last_rejected,
        "last_error_at": s.last_error_at,
        "silence_minutes": s.silence_minutes,
        "rejection_threshold": s.rejection_threshold,
        "codes": s.codes,
        "unmapped": s.unmapped,
        "incident": s.trouble_incident.number if s.trouble_incident_id else None,
    }


class CountsOut(Schema):
    mapped: int
    unmapped: int
    new: int


class MappingOut(Schema):
    system: str
    local_code: str
    local_display: str
    target: str
    target_display: str
    validated_by: str
    validated_at: dt.datetime | None
    first_seen: dt.date
    age_days: int
    added_locally: bool


def _mapping(m) -> dict:
    return {
        "system": m.system,
        "local_code": m.local_code,
        "local_display": m.local_display,
        "target": m.target,
        "target_display": m.target_display,
        "validated_by": m.validated_by,
        "validated_at": m.validated_at,
        "first_seen": m.first_seen,
        "age_days": (timezone.localdate() - m.first_seen).days,
        "added_locally": m.added_locally,
    }


class MappingIn(Schema):
    target: str = Field(max_length=60, description="the provincial code; empty: unmap")
    validated_by: str = Field("", max_length=200, description="the expert who validated it")
    system: str = Field(
        "", max_length=100, description="the local code system (default: the source's first)"
    )


class HeartbeatIn(Schema):
    at: dt.datetime
    messages: int = Field(ge=0)
    rejected: int = Field(ge=0)


@router.get(
    "/datasources", response={200: page_of(DataSourceOut), **ERRORS}, summary="The data sources"
)
def list_sources(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    return paginate([_source(s) for s in selectors.datasources(request.auth, institution)], page)


@router.get(
    "/datasources/{code}", response={200: DataSourceOut, **ERRORS}, summary="One data source"
)
def get_source(request, code: str, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    return _source(selectors.datasource(request.auth, institution, code))


class QueuedImportOut(Schema):
    id: int = Field(description="the import: GET /api/datasources/{code}/proposals/{id}")
    state: one_of(ProposalState) = Field(description="queued, then approved (imported) or failed")
    rows: int
    done_rows: int


@router.post(
    "/datasources/{code}/worksheets",
    response={200: CountsOut, 202: QueuedImportOut, **ERRORS},
    summary="Import a Codes on the Fly worksheet (XLSX or CSV); a large one in the background",
)
def import_worksheet(request, code: str, q: Query[InstitutionQuery], file: File[UploadedFile]):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAP_CODES)
    source = selectors.datasource(request.auth, institution, code)
    done = services.upload_worksheet(request.auth, source, file.read(), file.name or "")
    if isinstance(done, dict):
        return done
    return Status(
        202, {"id": done.pk, "state": done.state, "rows": done.rows, "done_rows": done.done_rows}
    )


class ChangeOut(Schema):
    kind: one_of("new", "changed") = Field(
        description="new (a local code not seen yet) or changed (its mapping)"
    )
    system: str
    local_code: str
    local_display: str
    old_target: str = Field(description="the provincial code now ('' when none)")
    new_target: str = Field(description="the provincial code the worksheet gives")
    new_display: str
    validated_by: str
    known: bool = Field(description="the proposed code is in the provincial list")


class ProposalOut(Schema):
    id: int
    datasource: str
    received_at: dt.datetime
    via: one_of(Via)
    sender: str
    filename: str
    size: int
    rows: int
    done_rows: int = Field(description="rows imported so far (a large upload in progress)")
    state: one_of(ProposalState) = Field(
        description="proposed, queued, approved, rejected or failed"
    )
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str
    outcome: dict = Field(description="the import's counts once approved")
    changes: list[ChangeOut] | None = Field(
        None, description="what approving would change now (one proposal, while proposed)"
    )


class DecisionIn(Schema):
    decision: str = Field(pattern="^(approve|reject)$")
    reason: str = Field("", max_length=2000, description="why it is rejected (required then)")


def _proposal(p, with_changes: bool = False) -> dict:
    return {
        "id": p.pk,
        "datasource": p.datasource.code,
        "received_at": p.received_at,
        "via": p.via,
        "sender": p.sender,
        "filename": p.filename,
        "size": p.size,
        "rows": p.rows,
        "done_rows": p.done_rows,
        "state": p.state,
        "decided_by": p.decided_by.username if p.decided_by_id else None,
        "decided_at": p.decided_at,
        "reason": p.reason,
        "outcome": p.outcome,
        "changes": (
            [vars(c) for c in services.changes(p)]
            if with_changes and p.state == "proposed"
            else None
        ),
    }


@router.get(
    "/datasources/{code}/proposals",
    response={200: page_of(ProposalOut), **ERRORS},
    summary="The worksheets received by e-mail (proposed imports), newest first",
)
def list_proposals(request, code: str, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    source = selectors.datasource(request.auth, institution, code)
    return paginate(
        selectors.proposals(source), page, order=("-received_at", "-id"), serialize=_proposal
    )


@router.get(
    "/datasources/{code}/proposals/{proposal_id}",
    response={200: ProposalOut, **ERRORS},
    summary="A worksheet received by e-mail, with what approving it would change",
)
def get_proposal(request, code: str, proposal_id: int, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    source = selectors.datasource(request.auth, institution, code)
    return _proposal(selectors.proposal(source, proposal_id), with_changes=True)


@router.post(
    "/datasources/{code}/proposals/{proposal_id}/decision",
    response={200: ProposalOut, **ERRORS},
    summary="Approve (import, with you as actor) or reject a worksheet received by e-mail",
)
def decide_proposal(
    request, code: str, proposal_id: int, payload: DecisionIn, q: Query[InstitutionQuery]
):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAP_CODES)
    source = selectors.datasource(request.auth, institution, code)
    decided = services.decide(
        request.auth,
        selectors.proposal(source, proposal_id),
        approve=payload.decision == "approve",
        reason=payload.reason,
    )
    return _proposal(decided)


@router.get(
    "/datasources/{code}/unmapped",
    response={200: page_of(MappingOut), **ERRORS},
    summary="The source's local codes with no provincial code, oldest first",
)
def unmapped(request, code: str, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    source = selectors.datasource(request.auth, institution, code)
    return paginate(
        selectors.mappings(source, unmapped_only=True),
        page,
        order=("first_seen", "id"),
        serialize=_mapping,
    )


@router.put(
    "/datasources/{code}/mappings/{local_code}",
    response={200: MappingOut, **ERRORS},
    summary="Map a local code to a provincial code",
)
def put_mapping(
    request, code: str, local_code: str, payload: MappingIn, q: Query[InstitutionQuery]
):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAP_CODES)
    source = selectors.datasource(request.auth, institution, code)
    return _mapping(
        services.set_mapping(
            request.auth, source, local_code, payload.target, payload.validated_by, payload.system
        )
    )


@router.get(
    "/datasources/{code}/worksheet.xlsx",
    response={200: None, **ERRORS},
    summary="The worksheet to return to the provincial desk (XLSX)",
)
def worksheet(request, code: str, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    source = selectors.datasource(request.auth, institution, code)
    response = HttpResponse(write_worksheet(selectors.rows(source)), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"codes-on-the-fly-{source.code}.xlsx"
    )
    return response


@router.get(
    "/datasources/{code}/conceptmap",
    response={200: dict, **ERRORS},
    summary="The mappings as a FHIR R4 ConceptMap",
)
def get_conceptmap(request, code: str, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    return selectors.conceptmap(selectors.datasource(request.auth, institution, code))


@router.post(
    "/datasources/{code}/conceptmap",
    response={200: CountsOut, **ERRORS},
    summary="Import mappings from a FHIR R4 ConceptMap",
)
def post_conceptmap(request, code: str, payload: Body[dict], q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAP_CODES)
    source = selectors.datasource(request.auth, institution, code)
    return services.import_conceptmap(request.auth, source, payload)


@router.post(
    "/datasources/{code}/heartbeat",
    response={200: DataSourceOut, **ERRORS},
    summary="A transmission, as the interface engine reports it",
)
def heartbeat(request, code: str, payload: HeartbeatIn, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.HEARTBEAT)
    source = selectors.datasource(request.auth, institution, code)
    services.heartbeat(request.auth, source, payload.at, payload.messages, payload.rejected)
    return _source(selectors.datasource(request.auth, institution, code))


# -- the sealed reports -------------------------------------------------------------------


class ConformanceErrorOut(Schema):
    id: int
    control_id: str
    state: one_of(ErrorState)
    code: str
    text: str
    errors: list[str]


class ConformanceReportOut(Schema):
    id: int
    organisation: str
    received_at: dt.datetime
    size: int
    via: one_of(Via)
    routed_to: list[str]
    state: one_of(ReportState)
    incident: str | None
    errors_total: int
    errors_done: int
    designated: bool = Field(description="whether the reader is a designated person")
    filename: str | None = Field(None, description="designated persons only")
    content: list[ConformanceErrorOut] | None = Field(
        None, description="the rejected messages found: designated persons only"
    )


def _report(r, designated: bool = False) -> dict:
    return {
        "id": r.pk,
        "organisation": r.organisation.code,
        "received_at": r.received_at,
        "size": r.size,
        "via": r.via,
        "routed_to": r.routed_to,
        "state": r.state,
        "incident": r.incident.number if r.incident_id else None,
        "errors_total": r.errors_total,
        "errors_done": r.errors_done,
        "designated": designated,
    }


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@router.post(
    "/conformance-reports",
    response={201: ConformanceReportOut, **ERRORS},
    summary="Receive a Weekly Conformance Errors report (sealed, routed)",
)
def receive_report(
    request, organisation: Form[str], file: File[UploadedFile], q: Query[InstitutionQuery]
):
    institution = resolve_institution(request.auth, q.institution, need=perms.REPORT_RECEIVE)
    org = Organisation.objects.filter(institution=institution, code=organisation).first()
    if org is None:
        raise NotFound(
            _("No organisation %(code)s.") % {"code": organisation}, field="organisation"
        )
    report = services.receive_report(request.auth, org, file.name or "report", file.read())
    return Status(201, _report(report))


@router.get(
    "/conformance-reports",
    response={200: page_of(ConformanceReportOut), **ERRORS},
    summary="The conformance reports (never their content)",
)
def list_reports(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.DATASOURCE_VIEW)
    return paginate(
        selectors.reports(request.auth, institution),
        page,
        order=("-received_at", "-id"),
        serialize=_report,
    )


@router.get(
    "/conformance-reports/{report_id}",
    response={200: ConformanceReportOut, **ERRORS},
    summary="One report; its content only for the designated persons (recorded)",
)
def get_conformance_report(request, report_id: int, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution)
    report = selectors.report(request.auth, institution, report_id)
    if not services.designated(request.auth, report.organisation):
        return _report(report)
    name, _data = services.open_report(request.auth, report, _address(request))
    out = _report(report, designated=True)
    out["filename"] = name
    out["content"] = services.report_errors(request.auth, report, _address(request))
    return out


@router.get(
    "/conformance-reports/{report_id}/file",
    response={200: None, **ERRORS},
    summary="The report's file: designated persons only (recorded)",
)
def report_file(request, report_id: int, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution)
    report = selectors.report(request.auth, institution, report_id)
    name, data = services.open_report(request.auth, report, _address(request))
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


class ErrorIn(Schema):
    control_id: str = Field(max_length=60)
    text: str = ""


class ErrorStateIn(Schema):
    state: str = Field(description="open, resubmitted or done")


@router.post(
    "/conformance-reports/{report_id}/errors",
    response={201: ConformanceErrorOut, **ERRORS},
    summary="Record a rejected message found in the report (designated persons)",
)
def add_error(request, report_id: int, payload: ErrorIn, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution)
    report = selectors.report(request.auth, institution, report_id)
    error = services.record_error(request.auth, report, payload.control_id, payload.text)
    return Status(
        201,
        {
            "id": error.pk,
            "control_id": error.control_id,
            "state": error.state,
            "code": "",
            "text": payload.text,
            "errors": [],
        },
    )


@router.post(
    "/conformance-reports/{report_id}/errors/{error_id}",
    response={200: ConformanceReportOut, **ERRORS},
    summary="A rejected message resubmitted, then accepted (designated persons)",
)
def move_error(
    request, report_id: int, error_id: int, payload: ErrorStateIn, q: Query[InstitutionQuery]
):
    institution = resolve_institution(request.auth, q.institution)
    report = selectors.report(request.auth, institution, report_id)
    error = report.errors.filter(pk=error_id).first()
    if error is None:
        raise NotFound(_("No rejected message #%(id)s.") % {"id": error_id}, field="error_id")
    services.move_error(request.auth, error, payload.state)
    report.refresh_from_db()
    return _report(report, designated=True)
