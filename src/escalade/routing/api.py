"""POST /api/route: whom to contact, now."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from escalade.accounts.services import resolve_institution
from escalade.catalog.schemas import ChannelOut
from escalade.core.schema import Instant, at_or_now, errors_for, one_of
from escalade.routing.choices import Location, Need, Requester, Subject

from . import rules, selectors
from .errors import RoutingError

router = Router(tags=["routing"])
ERRORS = errors_for("Routing", RoutingError)


class RouteIn(Schema):
    institution: str | None = None
    requester: one_of(Requester) = Field(description="staff or patient")
    need: one_of(Need) = Field(description="technical_problem or app_question")
    subject: one_of(Subject) = Field(description="what the trouble is with")
    location: one_of("", Location) = Field("", description="Internet only")
    at: Instant | None = Field(None, description="ISO 8601 instant (default now)")


class ProviderRef(Schema):
    code: str
    name: str


class StepOut(Schema):
    provider: ProviderRef | None
    instruction: str
    channels: list[ChannelOut]


class LevelOut(Schema):
    level: one_of(1, 2, 3)
    steps: list[StepOut]


class CodeLabel(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    requester: CodeLabel
    need: CodeLabel
    subject: CodeLabel
    location: CodeLabel | None


class RouteOut(Schema):
    question: QuestionOut
    at: dt.datetime
    covered: bool
    supported: bool
    message: str
    levels: list[LevelOut]
    notes: list[str]
    reminders: list[str]
    source: str


@router.post("/route", response={200: RouteOut, **ERRORS}, summary="Whom to contact, now")
def route(request, payload: RouteIn):
    institution = resolve_institution(request.auth, payload.institution)
    question = rules.Question(payload.requester, payload.need, payload.subject, payload.location)
    return selectors.plan(institution, question, at_or_now(payload.at))
