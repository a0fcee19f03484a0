"""Service notices, maintenance windows and organisations' interruptions (seed 002)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.catalog import selectors as catalog_selectors
from escalade.core.errors import Code, Invalid
from escalade.core.i18n import pick
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Instant, StrictBool, errors_for, one_of
from escalade.incidents import selectors as incident_selectors
from escalade.notices.choices import NoticeKind, NoticeState

from . import selectors, services
from .errors import NoticeError
from .models import Interruption

router = Router(tags=["notices"])
ERRORS = errors_for("Notices", NoticeError)

Text = str | dict[str, str]


class UpdateOut(Schema):
    body: str
    at: dt.datetime
    author: str | None


class NoticeOut(Schema):
    id: int
    institution: str
    kind: one_of(NoticeKind)
    state: one_of(NoticeState)
    title: str
    body: str
    impact: str
    user_action: str
    texts: dict = Field(description="the texts in each language written: {field: {en, fr}}")
    services: list[str]
    organisations: list[str]
    start: dt.datetime
    end: dt.datetime | None
    urgent: bool
    urgent_reason: str
    outside_window: bool
    public: bool
    resolution: str
    resolved_at: dt.datetime | None
    incidents: list[str]
    updates: list[UpdateOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class NoticeIn(Schema):
    institution: str | None = None
    kind: one_of(NoticeKind) = Field(description="planned or unplanned")
    title: Text = Field(description="a text, or {'en': ..., 'fr': ...}")
    body: Text = ""
    impact: Text = ""
    user_action: Text = Field("", description="what users should do")
    start: Instant
    end: Instant | None = None
    services: list[str] = []
    organisations: list[str] = Field([], description="codes; empty: every organisation")
    urgent: StrictBool = False
    urgent_reason: str = ""
    outside_window_ok: StrictBool = Field(
        False, description="confirm planned work outside the maintenance windows"
    )
    public: StrictBool = Field(True, description="in the public feeds (else only in personal ones)")


class NoticePatch(Schema):
    title: Text | None = None
    body: Text | None = None
    impact: Text | None = None
    user_action: Text | None = None
    start: Instant | None = None
    end: Instant | None = None
    services: list[str] | None = None
    state: one_of("resolved", "cancelled") | None = Field(None, description="resolved or cancelled")
    resolution: Text | None = None
    urgent: StrictBool | None = None
    urgent_reason: str | None = None
    outside_window_ok: StrictBool = False


class UpdateIn(Schema):
    body: Text
    resolve: StrictBool = False


class LinkIn(Schema):
    number: str = Field(description="an incident number")
    unlink: StrictBool = False


class NoticeQuery(Schema):
    institution: str | None = None
    state: one_of(NoticeState) | None = None
    current: bool = Field(False, description="only those not over")


def aware(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise Invalid(
            _("Give the time zone (e.g. 2026-11-29T00:00:00-05:00)."),
            field=field,
            code=Code.NO_TIME_ZONE,
        )
    return value


@router.get("/notices", response={200: page_of(NoticeOut), **ERRORS}, summary="Service notices")
def list_notices(request, q: Query[NoticeQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution)
    qs = selectors.visible_notices(request.auth).filter(institution=institution)
    if q.state:
        qs = qs.filter(state=q.state)
    if q.current:
        qs = qs.filter(Q(end__isnull=True) | Q(end__gt=timezone.now()), state="published")
    return paginate(
        qs.prefetch_related("organisations"),
        page,
        order=("-start", "-id"),
        serialize=selectors.notice_view,
    )


@router.post("/notices", response={201: NoticeOut, **ERRORS}, summary="Publish a notice")
def publish_notice(request, payload: NoticeIn):
    institution = resolve_institution(request.auth, payload.institution)
    data = payload.dict()
    data["start"], data["end"] = aware(payload.start, "start"), aware(payload.end, "end")
    notice = services.publish(request.auth, institution, data)
    return Status(201, selectors.notice_view(notice))


@router.get("/notices/{int:notice_id}", response={200: NoticeOut, **ERRORS}, summary="A notice")
def get_notice(request, notice_id: int):
    return selectors.notice_view(selectors.get_notice(request.auth, notice_id))


@router.patch(
    "/notices/{int:notice_id}", response={200: NoticeOut, **ERRORS}, summary="Change a notice"
)
def patch_notice(request, notice_id: int, payload: NoticePatch):
    notice = selectors.get_notice(request.auth, notice_id)
    data = payload.dict(exclude_unset=True)
    for f in ("start", "end"):
        if f in data:
            data[f] = aware(data[f], f)
    return selectors.notice_view(services.change(request.auth, notice, data))


@router.post(
    "/notices/{int:notice_id}/updates",
    response={201: NoticeOut, **ERRORS},
    summary="Add an update (or the resolution)",
)
def add_update(request, notice_id: int, payload: UpdateIn):
    notice = selectors.get_notice(request.auth, notice_id)
    services.add_update(request.auth, notice, payload.body, resolve=payload.resolve)
    notice.refresh_from_db()
    return Status(201, selectors.notice_view(notice))


@router.post(
    "/notices/{int:notice_id}/incidents",
    response={200: NoticeOut, **ERRORS},
    summary="Link (or unlink) an incident the notice caused or explains",
)
def link_incident(request, notice_id: int, payload: LinkIn):
    notice = selectors.get_notice(request.auth, notice_id)
    incident = incident_selectors.find(request.auth, payload.number)
    services.link_incident(request.auth, notice, incident, unlink=payload.unlink)
    return selectors.notice_view(notice)


class OccurrenceOut(Schema):
    window: str
    title: str
    start: dt.datetime
    end: dt.datetime


class WindowQuery(Schema):
    institution: str | None = None
    days: int = Field(28, ge=1, le=366)


@router.get(
    "/maintenance-windows",
    response={200: page_of(OccurrenceOut), **ERRORS},
    summary="The next occurrences of the maintenance windows",
)
def maintenance_windows(request, q: Query[WindowQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution)
    now = timezone.now()
    occurrences = selectors.window_occurrences(institution, now, now + dt.timedelta(days=q.days))
    return paginate(
        [
            {"window": w.code, "title": pick(w.title), "start": s, "end": e}
            for w, s, e in occurrences
        ],
        page,
    )


class InterruptionIn(Schema):
    kind: one_of(NoticeKind) = Field(description="planned or unplanned")
    systems: str = Field(description="the systems affected, e.g. the HIS interface")
    description: str = ""
    start: Instant
    end: Instant | None = None
    reporter_name: str = ""
    reporter_contact: str = Field("", description="how the desk calls back")


class InterruptionOut(Schema):
    id: int
    organisation: str
    kind: one_of(NoticeKind)
    systems: str
    description: str
    start: dt.datetime
    end: dt.datetime | None
    reporter_name: str
    reporter_contact: str
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None


def interruption_view(row: Interruption) -> dict:
    return {
        "id": row.pk,
        "organisation": row.organisation.code,
        "kind": row.kind,
        "systems": row.systems,
        "description": row.description,
        "start": row.start,
        "end": row.end,
        "reporter_name": row.reporter_name,
        "reporter_contact": row.reporter_contact,
        "created_at": row.created_at,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_by": row.acknowledged_by.username if row.acknowledged_by else None,
    }


class InstitutionQuery(Schema):
    institution: str | None = None


@router.post(
    "/organisations/{code}/interruptions",
    response={201: InterruptionOut, **ERRORS},
    summary="An organisation reports an interruption of its own systems",
)
def report_interruption(request, code: str, payload: InterruptionIn, q: Query[InstitutionQuery]):
    org = catalog_selectors.get_organisation(request.auth, code, q.institution)
    data = payload.dict()
    data["start"], data["end"] = aware(payload.start, "start"), aware(payload.end, "end")
    return Status(201, interruption_view(services.report_interruption(request.auth, org, data)))


@router.get(
    "/interruptions",
    response={200: page_of(InterruptionOut), **ERRORS},
    summary="Interruptions reported by organisations",
)
def list_interruptions(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    return paginate(
        selectors.open_interruptions(institution),
        page,
        order=("-created_at", "-id"),
        serialize=interruption_view,
    )


@router.post(
    "/interruptions/{int:row_id}/acknowledge",
    response={200: InterruptionOut, **ERRORS},
    summary="The desk acknowledges a reported interruption",
)
def acknowledge(request, row_id: int):
    row = selectors.get_interruption(request.auth, row_id)
    return interruption_view(services.acknowledge(request.auth, row))
