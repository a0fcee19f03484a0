"""POST /api/route: whom to contact, now."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from escalade.accounts.services import resolve_institution
from escalade.catalog.api import ChannelOut, instant
from escalade.core.schema import Instant
from escalade.incidents.api import ERRORS

from . import rules, selectors

router = Router(tags=["routing"])


class RouteIn(Schema):
    institution: str | None = None
    requester: str = Field(description="staff or patient")
    need: str = Field(description="technical_problem or app_question")
    subject: str = Field(description="org_equipment, biomedical_equipment, lent_equipment, ...")
    location: str = Field("", description="on_site or personal_connection (Internet only)")
    at: Instant | None = Field(None, description="ISO 8601 instant (default now)")


class ProviderRef(Schema):
    code: str
    name: str


class StepOut(Schema):
    provider: ProviderRef | None
    instruction: str
    channels: list[ChannelOut]


class LevelOut(Schema):
    level: int
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
    return selectors.plan(institution, question, instant(payload.at))
