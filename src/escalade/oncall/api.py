"""On call (issue 27): who is on call in each team now or at another moment, the leads'
overrides, and the pages an incident sent with their acknowledgements."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Instant, errors_for, one_of
from escalade.incidents import selectors as incident_selectors

from . import selectors, services
from .choices import PageChannel, PageState
from .errors import OncallError

router = Router(tags=["on call"])
ERRORS = errors_for("Oncall", OncallError)


class PersonOut(Schema):
    username: str
    name: str


class OnCallOut(Schema):
    team: str = Field(description="the team's code in the pack")
    name: str = Field(description="the team's name, in your language")
    person: PersonOut | None = Field(description="none: the team is off duty, or has no one")
    phone: str
    until: dt.datetime | None = Field(
        description="the next hand-over, the end of its hours or of an override (off duty: "
        "when its hours begin)"
    )
    override: bool = Field(description="a lead changed the rotation for this turn")
    off_duty: bool = Field(description="outside the team's hours")
    covered_by: str | None = Field(
        description="off duty: the code of the institution's team on call instead, if any"
    )
    office_open: bool | None = Field(
        description="off duty: whether the institution's business hours are open (its day "
        "team answers)"
    )


class OnCallQuery(Schema):
    institution: str | None = None
    team: str | None = Field(None, description="one team's code")
    at: Instant | None = Field(None, description="another moment than now (ISO 8601, with zone)")


class OverrideIn(Schema):
    institution: str | None = None
    team: str
    starts_at: Instant
    ends_at: Instant
    username: str = Field(description="who is on call instead (a member, or anyone named)")
    name: str = Field("", description="needed when the person is not a member of the team")
    phone: str = ""
    reason: str


class OverrideOut(Schema):
    id: int
    team: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    username: str
    name: str
    phone: str
    reason: str
    by: str


@router.get(
    "/oncall",
    response={200: page_of(OnCallOut), **ERRORS},
    summary="Who is on call, team by team, and until when",
)
def list_on_call(request, q: Query[OnCallQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.ONCALL_VIEW)
    if q.team:
        selectors.get_team(institution, q.team)  # an unknown team is a clear error
    return paginate(selectors.on_call(institution, q.at, q.team), page)


@router.post(
    "/oncall/overrides",
    response={201: OverrideOut, **ERRORS},
    summary="Change the rotation for a while (a team lead)",
)
def add_override(request, payload: OverrideIn):
    institution = resolve_institution(request.auth, payload.institution)
    team = selectors.get_team(institution, payload.team)
    row = services.add_override(request.auth, team, payload.dict())
    return Status(
        201,
        {
            "id": row.pk,
            "team": team.code,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "username": row.username,
            "name": row.name,
            "phone": row.phone,
            "reason": row.reason,
            "by": request.auth.get_username(),
        },
    )


class PageOut(Schema):
    id: int
    to: str = Field(description="the username paged")
    name: str
    channel: one_of(PageChannel)
    step: int = Field(description="the policy's step, from 1")
    round: int
    state: one_of(PageState)
    sent_at: dt.datetime
    acknowledged_at: dt.datetime | None


def _page(p) -> dict:
    return {
        "id": p.pk,
        "to": p.username,
        "name": p.name,
        "channel": p.channel,
        "step": p.step + 1,
        "round": p.round,
        "state": p.state,
        "sent_at": p.sent_at,
        "acknowledged_at": p.acknowledged_at,
    }


@router.get(
    "/incidents/{number}/pages",
    response={200: page_of(PageOut), **ERRORS},
    summary="Whom the incident paged, and who acknowledged",
)
def incident_pages(request, number: str, page: Query[PageQuery]):
    incident = incident_selectors.find(request.auth, number)
    return paginate(selectors.pages_of(incident), page, order=("id",), serialize=_page)


@router.post(
    "/pages/{page_id}/ack",
    response={200: PageOut, **ERRORS},
    summary="Acknowledge a page: the paging stops and the others are told",
)
def acknowledge_page(request, page_id: int):
    row = selectors.get_page(request.auth, page_id)
    services.acknowledge(request.auth, row)
    row.refresh_from_db()
    return _page(row)
