"""Who is on call (issue 27): every team of an institution and its person on call now or
at another moment, and the leads' overrides."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Instant, errors_for

from . import selectors, services
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
    off_duty: bool = Field(description="outside the team's hours: its institution's day team")


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
