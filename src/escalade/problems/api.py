"""GET/POST /api/problems, GET/PATCH /api/problems/{id}, POST /api/problems/detect."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from ninja import Field, Query, Router, Schema, Status

from escalade.accounts import rules as perms
from escalade.accounts.services import require, resolve_institution
from escalade.actions.choices import ActionState
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Day, StrictBool, errors_for, one_of
from escalade.incidents import selectors as incident_selectors
from escalade.problems.choices import ProblemState

from . import selectors, services
from .errors import ProblemError
from .models import Problem

router = Router(tags=["problems"])
ERRORS = errors_for("Problems", ProblemError)


class MeasureOut(Schema):
    id: int
    text: str
    owner: str | None
    due: dt.date | None
    state: one_of(ActionState)


class ProblemOut(Schema):
    id: int
    title: str
    state: one_of(ProblemState)
    symptom: str | None
    site: str
    suspected_cause: str
    confirmed_cause: str
    workaround: str
    evidence: dict
    assignee: str | None
    incidents: list[str]
    measures: list[MeasureOut]
    created_at: dt.datetime
    closed_at: dt.datetime | None


class ProblemIn(Schema):
    institution: str | None = None
    title: str = Field(max_length=200)
    incidents: list[str] = []
    suspected_cause: str = ""


class MeasureIn(Schema):
    text: str
    owner: str | None = None
    due: Day | None = None
    done: StrictBool = False


class ProblemPatch(Schema):
    title: str | None = None
    state: one_of(ProblemState) | None = Field(None, description="the new state")
    suspected_cause: str | None = None
    confirmed_cause: str | None = None
    workaround: str | None = None
    link: list[str] = Field([], description="incident numbers to link")
    unlink: list[str] = []
    merge_into: int | None = None
    add_measures: list[MeasureIn] = []
    complete_measures: list[int] = []


class ListQuery(Schema):
    institution: str | None = None
    state: one_of(ProblemState) | None = None


@router.get("/problems", response={200: page_of(ProblemOut), **ERRORS}, summary="Problems")
def list_problems(request, q: Query[ListQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.PROBLEM_VIEW)
    qs = Problem.objects.filter(institution=institution)
    if q.state:
        qs = qs.filter(state=q.state)
    return paginate(qs, page, order=("-created_at", "-id"), serialize=selectors.problem_view)


@router.post("/problems", response={201: ProblemOut, **ERRORS}, summary="Open a problem by hand")
def create_problem(request, payload: ProblemIn):
    institution = resolve_institution(request.auth, payload.institution)
    incidents = [incident_selectors.find(request.auth, n) for n in payload.incidents]
    problem = services.create(
        request.auth, institution, payload.title, incidents, payload.suspected_cause
    )
    return Status(201, selectors.problem_view(problem))


@router.get("/problems/{int:problem_id}", response={200: ProblemOut, **ERRORS}, summary="A problem")
def get_problem(request, problem_id: int):
    require(request.auth, perms.PROBLEM_VIEW, None)
    return selectors.problem_view(selectors.get_problem(request.auth, problem_id))


@router.patch(
    "/problems/{int:problem_id}", response={200: ProblemOut, **ERRORS}, summary="Change a problem"
)
def patch_problem(request, problem_id: int, payload: ProblemPatch):
    problem = selectors.get_problem(request.auth, problem_id)
    user = request.auth
    values = {
        k: getattr(payload, k)
        for k in ("title", "suspected_cause", "confirmed_cause", "workaround")
        if getattr(payload, k) is not None
    }
    if payload.state and payload.state != "closed":
        values["state"] = payload.state
    if values:
        problem = services.update(user, problem, values)
    for number in payload.link:
        services.link(user, problem, incident_selectors.find(user, number))
    for number in payload.unlink:
        services.unlink(user, problem, incident_selectors.find(user, number))
    owners = get_user_model().objects
    for m in payload.add_measures:
        owner = owners.filter(username=m.owner).first() if m.owner else None
        measure = services.add_measure(user, problem, m.text, owner, m.due)
        if m.done:
            services.complete_measure(user, measure)
    for measure_id in payload.complete_measures:
        services.complete_measure(user, services.measure_of(problem, measure_id))
    if payload.merge_into:
        problem = services.merge(user, problem, selectors.get_problem(user, payload.merge_into))
    if payload.state == "closed":
        problem = services.close(user, problem)
    return selectors.problem_view(Problem.objects.get(pk=problem.pk))


class DetectIn(Schema):
    institution: str | None = None
    full: StrictBool = Field(False, description="look at every incident, not only the new ones")


@router.post(
    "/problems/detect",
    response={200: list[ProblemOut], **ERRORS},
    summary="Detect recurring incidents",
)
def detect(request, payload: DetectIn):
    institution = resolve_institution(request.auth, payload.institution)
    return [
        selectors.problem_view(p)
        for p in services.detect(institution, request.auth, incremental=not payload.full)
    ]
