"""The runbooks and outages API (seed 004): runbooks, outages with their checklist,
broadcasts, registry and reconciliation; the current broadcasts of a workstation."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.catalog.schemas import ChannelOut as CatalogChannelOut
from escalade.core import public
from escalade.core.errors import Forbidden, Invalid, not_one_of
from escalade.core.idempotency import replay_with
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Day, Instant, StrictBool, at_or_now, errors_for, one_of
from escalade.incidents.choices import Severity
from escalade.incidents.errors import IncidentError

from . import cap, selectors, services
from .choices import (
    BroadcastKind,
    ConfirmedVia,
    EntryState,
    OutageState,
    StepPhase,
    StepState,
    UnitPhase,
)
from .errors import OutageError

router = Router(tags=["runbooks and outages"])
ERRORS = errors_for("Runbooks", OutageError, IncidentError)


class ContactChannelOut(CatalogChannelOut):
    """A catalogue channel (catalog.schemas) with its reference in the pack."""

    ref: str


class RunbookContactOut(Schema):
    who: str
    channels: list[ContactChannelOut]


class StepSpecOut(Schema):
    text: str
    when: str = Field(description="the schedule a time-dependent step depends on, or empty")
    applies_now: bool


class BroadcastSpecOut(Schema):
    group: str
    group_label: str = Field(description="the workstations it goes to, by their name")
    type: one_of(BroadcastKind)
    title: str
    message: str


class RelatedOut(Schema):
    code: str
    title: str


class RunbookOut(Schema):
    code: str
    system: str
    title: str
    trigger: str
    registry: bool
    contacts: list[RunbookContactOut]
    start_broadcasts: list[BroadcastSpecOut]
    end_broadcasts: list[BroadcastSpecOut]
    degraded: list[StepSpecOut]
    restore: list[StepSpecOut]
    related: list[RelatedOut]
    version: str
    owner: str
    review_on: dt.date | None = None


class RunbookQuery(Schema):
    institution: str | None = None
    at: Instant | None = Field(None, description="judge hours and steps at this moment")


@router.get("/runbooks", response={200: page_of(RunbookOut), **ERRORS}, summary="The runbooks")
def list_runbooks(request, q: Query[RunbookQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.RUNBOOK_VIEW)
    at = at_or_now(q.at)
    return paginate([selectors.runbook_view(r, at) for r in selectors.runbooks(institution)], page)


@router.get("/runbooks/{code}", response={200: RunbookOut, **ERRORS}, summary="One runbook")
def get_runbook(request, code: str, q: Query[RunbookQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.RUNBOOK_VIEW)
    return selectors.runbook_view(services.get_runbook(institution, code), at_or_now(q.at))


class DrillIn(Schema):
    institution: str | None = None


class DrillOut(Schema):
    runbook: str
    announced_at: dt.datetime


@router.post(
    "/runbooks/{code}/drill",
    response={200: DrillOut, **ERRORS},
    summary="Announce a drill: activating the runbook next runs it as a drill",
)
def announce_drill(request, code: str, payload: DrillIn):
    institution = resolve_institution(request.auth, payload.institution)
    runbook = services.announce_drill(request.auth, institution, code[:40])
    return {"runbook": runbook.code, "announced_at": runbook.drill_announced_at}


class IncidentRef(Schema):
    number: str
    severity: one_of(Severity)
    ticket: str | None = None
    attached_calls: int = Field(0, description="the calls logged about it, attached to it")


class _BroadcastFields(Schema):
    group: str
    group_label: str
    type: one_of(BroadcastKind)
    title: str
    message: str
    texts: dict = Field(description="title and message in French and English")
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None


class BroadcastOut(_BroadcastFields):
    id: int


class OutageStepOut(Schema):
    n: int
    phase: one_of(StepPhase)
    text: str
    when: str
    state: one_of(StepState)
    by: str | None = None
    at: dt.datetime | None = None


class EntryOut(Schema):
    id: int
    exam: str
    modality: str
    accession_number: str
    state: one_of(EntryState)
    provisional: bool
    episode: str
    at: dt.datetime
    by: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    birth_date: dt.date | None = None
    ipp: str | None = None
    final_ipp: str | None = None
    final_episode: str | None = None


class LeftOut(Schema):
    steps: int
    reconciliations: int


class AccessLogOut(Schema):
    event: str
    to: str
    at: dt.datetime
    by: str


class SiblingOut(Schema):
    id: int
    runbook: str
    state: one_of(OutageState)


class UnitLeadOut(Schema):
    name: str
    phone: str


class UnitOut(Schema):
    code: str
    label: str
    phase: one_of(UnitPhase) = Field(description="on paper (degraded), or back to normal")
    lead: UnitLeadOut
    asked_at: dt.datetime
    due_at: dt.datetime = Field(description="silent after this, its lead is paged")
    confirmed_at: dt.datetime | None = None
    via: one_of(ConfirmedVia) | None = None
    by: str | None = None
    lead_paged_at: dt.datetime | None = None
    late: bool


class RunFiguresOut(Schema):
    activate_s: int | None = Field(
        None, description="from the failure noticed (the drill announced) to the activation"
    )
    units: int = Field(description="the units asked to confirm the degraded procedure")
    all_confirmed_s: int | None = Field(
        None, description="from the activation until every unit asked had confirmed"
    )
    reconcile_s: int | None = Field(
        None, description="from the return to normal until the registry was reconciled"
    )


class OutageOut(Schema):
    id: int
    runbook: RelatedOut
    state: one_of(OutageState)
    incident: IncidentRef | None = Field(description="none for a drill")
    drill: bool = Field(description="a practice run: no incident, broadcasts to the drill group")
    figures: RunFiguresOut
    started_at: dt.datetime
    restored_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    elapsed_s: int
    note: str
    vendor_refs: list[dict]
    siblings: list[SiblingOut] = Field(description="the other outages of the same incident")
    access_codes: bool
    access_log: list[AccessLogOut]
    review_needed: bool | None = None
    contacts: list[RunbookContactOut]
    broadcasts: list[BroadcastOut]
    steps: list[OutageStepOut]
    entries: list[EntryOut]
    units: list[UnitOut] = Field(description="the units asked to confirm, and their answers")
    identities_shown: bool
    left: LeftOut


class OutageIn(Schema):
    institution: str | None = None
    runbook: str = Field(max_length=40)
    incident: str | None = Field(None, max_length=40, description="an existing incident's number")
    note: str = Field("", max_length=2000)
    at: Instant | None = Field(None, description="plan the steps for this moment")
    drill: StrictBool = Field(
        False, description="run it as a drill (announced before: the time to activate counts)"
    )


@router.post("/outages", response={201: OutageOut, **ERRORS}, summary="Activate a runbook")
def activate(request, payload: OutageIn):
    institution = resolve_institution(request.auth, payload.institution)
    outage = services.activate(
        request.auth,
        institution,
        payload.runbook,
        incident_number=payload.incident,
        note=payload.note,
        at=at_or_now(payload.at),
        drill=payload.drill,
    )
    replay_with(request, f"/api/outages/{outage.pk}")  # a retry reads it again, audited
    return Status(201, services.show_outage(request.auth, outage, "api"))


class OutageQuery(Schema):
    institution: str | None = None
    open: StrictBool = Field(False, description="only those not closed")


@router.get("/outages", response={200: page_of(OutageOut), **ERRORS}, summary="Outages")
def list_outages(request, q: Query[OutageQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.RUNBOOK_VIEW)
    return paginate(
        selectors.outages(institution, open_only=q.open),
        page,
        order=("-started_at", "-id"),
        serialize=lambda o: services.show_outage(request.auth, o, "api"),
    )


@router.get("/outages/{int:outage_id}", response={200: OutageOut, **ERRORS}, summary="An outage")
def get_outage(request, outage_id: int):
    outage = selectors.get_outage(request.auth, outage_id)
    return services.show_outage(request.auth, outage, "api")


class OutageStepIn(Schema):
    state: one_of(StepState) = Field(description="done, not_applicable, or open again")


@router.post(
    "/outages/{int:outage_id}/steps/{int:n}",
    response={200: OutageOut, **ERRORS},
    summary="Tick a step of the checklist",
)
def mark_step(request, outage_id: int, n: int, payload: OutageStepIn):
    outage = selectors.get_outage(request.auth, outage_id)
    services.mark_step(request.auth, outage, n, payload.state)
    return services.show_outage(request.auth, outage, "api")


class VendorRefIn(Schema):
    vendor: str = Field(max_length=60)
    reference: str = Field(max_length=60)


@router.post(
    "/outages/{int:outage_id}/vendor-refs",
    response={200: OutageOut, **ERRORS},
    summary="Record a vendor's ticket reference",
)
def vendor_ref(request, outage_id: int, payload: VendorRefIn):
    outage = selectors.get_outage(request.auth, outage_id)
    services.add_vendor_ref(request.auth, outage, payload.vendor, payload.reference)
    return services.show_outage(request.auth, outage, "api")


class BroadcastIn(Schema):
    group: str = Field(max_length=40)
    type: one_of(BroadcastKind)
    title: str = Field(max_length=200)
    message: str = Field(max_length=2000)


class RestoreIn(Schema):
    broadcasts: list[BroadcastIn] | None = Field(
        None, description="the end broadcasts as edited; the runbook's when absent"
    )
    at: Instant | None = None


@router.post(
    "/outages/{int:outage_id}/restore",
    response={200: OutageOut, **ERRORS},
    summary="Return to normal: end broadcasts, return steps, reconciliation tasks",
)
def restore(request, outage_id: int, payload: RestoreIn):
    outage = selectors.get_outage(request.auth, outage_id)
    edited = None
    if payload.broadcasts is not None:
        edited = [
            {
                "group": b.group,
                "type": b.type,
                "title": {"fr": b.title, "en": b.title},
                "message": {"fr": b.message, "en": b.message},
            }
            for b in payload.broadcasts
        ]
    services.restore(request.auth, outage, broadcasts=edited, at=at_or_now(payload.at))
    return services.show_outage(request.auth, selectors.get_outage(request.auth, outage_id), "api")


class UnitConfirmIn(Schema):
    phase: one_of(UnitPhase) = Field(description="what the unit confirms")


@router.post(
    "/outages/{int:outage_id}/units/{code}/confirm",
    response={200: OutageOut, **ERRORS},
    summary="A unit confirmed by phone: on paper, or back to normal",
)
def confirm_unit(request, outage_id: int, code: str, payload: UnitConfirmIn):
    outage = selectors.get_outage(request.auth, outage_id)
    services.confirm_by_code(request.auth, outage, code[:40], payload.phase)
    return services.show_outage(request.auth, selectors.get_outage(request.auth, outage_id), "api")


class CloseIn(Schema):
    review_needed: StrictBool | None = Field(None, description="does the runbook need review?")


@router.post("/outages/{int:outage_id}/close", response={200: OutageOut, **ERRORS}, summary="Close")
def close_outage(request, outage_id: int, payload: CloseIn):
    outage = selectors.get_outage(request.auth, outage_id)
    services.close(request.auth, outage, review_needed=payload.review_needed)
    return services.show_outage(request.auth, selectors.get_outage(request.auth, outage_id), "api")


class EntryIn(Schema):
    last_name: str = Field(max_length=100)
    first_name: str = Field(max_length=100)
    birth_date: Day
    ipp: str = Field("", max_length=20)
    exam: str = Field(max_length=200)
    modality: str = Field(max_length=20)
    accession_number: str = Field("", max_length=40)
    confirm_duplicate: StrictBool = Field(
        False, description="enter it although the same patient or exam is in the registry"
    )


class EntryCreated(Schema):
    id: int
    ipp: str
    episode: str
    provisional: bool


@router.post(
    "/outages/{int:outage_id}/entries",
    response={201: EntryCreated, **ERRORS},
    summary="Key in a patient and exam handled by hand",
)
def add_entry(request, outage_id: int, payload: EntryIn):
    outage = selectors.get_outage(request.auth, outage_id)
    entry = services.add_entry(request.auth, outage, payload.dict())
    return Status(
        201,
        {
            "id": entry.pk,
            "ipp": entry.ipp,
            "episode": entry.episode,
            "provisional": entry.provisional,
        },
    )


class ReconcileIn(Schema):
    ipp: str = Field(max_length=20)
    episode: str = Field(max_length=20)


@router.post(
    "/outages/{int:outage_id}/entries/{int:entry_id}/reconcile",
    response={200: EntryCreated, **ERRORS},
    summary="Reconcile a registry entry",
)
def reconcile(request, outage_id: int, entry_id: int, payload: ReconcileIn):
    outage = selectors.get_outage(request.auth, outage_id)
    entry = services.reconcile(
        request.auth,
        selectors.get_entry(request.auth, outage, entry_id),
        payload.ipp,
        payload.episode,
    )
    return {
        "id": entry.pk,
        "ipp": entry.final_ipp,
        "episode": entry.final_episode,
        "provisional": entry.provisional,
    }


class CurrentQuery(Schema):
    host: str = Field(
        min_length=1, max_length=63, description="the workstation's host name (required)"
    )
    institution: str | None = Field(None, max_length=40)
    token: str | None = Field(None, max_length=200, description="the display token, if set")
    at: Instant | None = None


class PublicBroadcastOut(_BroadcastFields):
    """A broadcast as a workstation reads it without sign-in: no internal number, no
    incident, no host patterns."""

    id: str = Field(description="the broadcast's public id (its CAP document's address)")
    cap: str = Field(description="the address of its CAP 1.2 document")


def _fenced(request) -> None:
    if not public.allowed(request):
        raise Forbidden(
            _("This read is open only to the workstation networks or with the display token.")
        )


@router.get(
    "/broadcasts/current",
    auth=None,
    response={200: list[PublicBroadcastOut], **ERRORS},
    summary="The broadcasts current for a workstation (no sign-in)",
)
def current(request, q: Query[CurrentQuery]):
    """Asked by every workstation every few seconds during an outage: the answer is kept
    (selectors.public_answer) and has an ETag; a notifier that sends it back in
    If-None-Match gets 304 Not Modified until something changes for it."""
    _fenced(request)
    if q.at is not None:  # a look at another moment: not kept
        rows = selectors.public_broadcasts(q.host.strip(), q.institution or "", at=q.at)
        return [_public(b) for b in rows]
    answer = selectors.public_answer(q.host.strip(), q.institution or "", _render_public)
    if answer.etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(answer.body, content_type="application/json; charset=utf-8")
    response["ETag"] = answer.etag
    response["Cache-Control"] = "no-cache"  # ask again each time, with the ETag
    return response


def _public(b) -> dict:
    return {
        **selectors.broadcast_view(b),
        "id": b.public_id,
        "cap": f"/api/broadcasts/{b.public_id}.cap",
    }


def _render_public(rows) -> bytes:
    """The answer's body exactly as the response schema and Ninja's renderer give it."""
    out = [PublicBroadcastOut.model_validate(_public(b)).model_dump() for b in rows]
    return json.dumps(out, cls=NinjaJSONEncoder).encode()


@router.get(
    "/broadcasts/{public_id}.cap",
    auth=None,
    response={200: None, **ERRORS},
    summary="One current broadcast as an OASIS CAP 1.2 document (no sign-in)",
)
def cap_document(request, public_id: str):
    _fenced(request)
    row = selectors.current_public_broadcast(public_id)
    return HttpResponse(cap.document(row), content_type="application/cap+xml; charset=utf-8")


class AlertIn(Schema):
    status: str = Field(max_length=20)
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    startsAt: str = ""  # noqa: N815 - Alertmanager's field names
    endsAt: str = ""  # noqa: N815
    fingerprint: str = Field(max_length=64)


class AlertmanagerIn(Schema):
    version: one_of("4") = Field(description="the webhook payload version: 4")
    groupKey: str = Field(  # noqa: N815 - Alertmanager's field names
        "", max_length=1000, description="the alerts' group: unmapped ones share one incident"
    )
    status: str = ""
    receiver: str = ""
    alerts: list[AlertIn]


class AlertsDone(Schema):
    opened: list[int]
    joined: list[int]
    folded: list[str]
    resolved: list[str]
    incidents: list[str]


class AlertQuery(Schema):
    institution: str | None = None


class AlertsQueued(Schema):
    queued: int = Field(description="alerts taken in the background")


@router.post(
    "/alerts/alertmanager",
    response={200: AlertsDone, 202: AlertsQueued, **ERRORS},
    summary="Prometheus Alertmanager's webhook (version 4): alerts open or join outages",
)
def alertmanager_webhook(request, payload: AlertmanagerIn, q: Query[AlertQuery]):
    if wrong := not_one_of("version", payload.version, ["4"]):
        raise Invalid(errors=wrong)
    institution = resolve_institution(request.auth, q.institution)
    alerts = [a.dict() for a in payload.alerts]
    if len(alerts) > settings.ESCALADE_ALERTS_INLINE:
        # a large call: checked now (permission, cap), taken in the background, answered
        # at once so that Alertmanager neither waits nor retries
        queued = services.queue_alerts(request.auth, institution, alerts, payload.groupKey)
        return Status(202, {"queued": queued})
    return services.receive_alerts(request.auth, institution, alerts, payload.groupKey)


class ReferenceOut(Schema):
    label: str
    value: str


class VendorOut(Schema):
    code: str
    name: str
    summary: str
    references: list[ReferenceOut]
    channels: list[ContactChannelOut]


class CallOutageOut(Schema):
    id: int
    runbook: str
    incident: str
    since: dt.datetime
    vendor_refs: list[dict]


class CallExamOut(Schema):
    accession_number: str
    date: dt.datetime
    modality: str
    exam: str


class CallSheetOut(VendorOut):
    say: list[str]
    caller: str
    site: str
    call_back_from: dt.datetime
    outage: CallOutageOut | None = None
    exam: CallExamOut | None = None


class VendorQuery(Schema):
    institution: str | None = None


@router.get(
    "/vendors", response={200: page_of(VendorOut), **ERRORS}, summary="Vendors and partners"
)
def list_vendors(request, q: Query[VendorQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.RUNBOOK_VIEW)
    now = dt.datetime.now(dt.UTC)
    return paginate([selectors.vendor_view(v, now) for v in selectors.vendors(institution)], page)


class CallSheetQuery(Schema):
    institution: str | None = None
    outage: int | None = Field(None, description="the outage the call is about")
    entry: int | None = Field(None, description="a registry entry: the exam concerned")


@router.get(
    "/vendors/{code}/call-sheet",
    response={200: CallSheetOut, **ERRORS},
    summary="What to say when calling a vendor about an outage",
)
def vendor_call_sheet(request, code: str, q: Query[CallSheetQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.RUNBOOK_VIEW)
    outage = selectors.get_outage(request.auth, q.outage) if q.outage else None
    entry = selectors.get_entry(request.auth, outage, q.entry) if outage and q.entry else None
    return selectors.call_sheet(
        request.auth, selectors.get_vendor(institution, code), outage, entry
    )


class AccessCodeIn(Schema):
    """What happened to the temporary access code; the code itself has no field here."""

    model_config = {"extra": "forbid"}
    event: one_of("changed", "given") = Field(description="changed, or given by phone")
    given_to: str = Field("", max_length=120, description="the physician it was given to")


@router.post(
    "/outages/{int:outage_id}/access-codes",
    response={200: OutageOut, **ERRORS},
    summary="Record that the temporary access code was changed or given (never the code)",
)
def access_code(request, outage_id: int, payload: AccessCodeIn):
    outage = selectors.get_outage(request.auth, outage_id)
    services.log_access_code(request.auth, outage, payload.event, payload.given_to)
    return services.show_outage(request.auth, selectors.get_outage(request.auth, outage_id), "api")
