"""oncall.yaml: the response clocks of the institution's incidents and its teams on call
with their rotations (the escalation policies come next, in the same file)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalade.accounts.choices import Role
from escalade.core import packs
from escalade.core.hours import Schedule
from escalade.core.packs import Labels

from . import rules
from .choices import Trigger
from .models import Team


class ClockRuleSpec(BaseModel):
    """A rule of targets: the first whose `if` the incident meets gives its clocks."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,59}$")
    when: dict[str, list[str | int] | str | int] = Field(default_factory=dict, alias="if")
    first_response: str | None = Field(None, description="15m, 4h, 1h30m")
    resolution: str | None = None
    counted: Literal["always", "business_hours"] = "always"

    @field_validator("first_response", "resolution")
    @classmethod
    def _duration(cls, value):
        if value is not None:
            rules.parse_duration(value)
        return value

    @field_validator("when")
    @classmethod
    def _facts(cls, value):
        unknown = set(value) - {"priority", "level", "severity", "symptom", "channel"}
        if unknown:
            raise ValueError(
                f"unknown condition {sorted(unknown)} (priority, level, severity, symptom, channel)"
            )
        return value


class ClocksSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    business_hours: dict = Field(
        default_factory=dict, description="{weekly: {mon-fri: [08:00-17:00]}, holidays: closed}"
    )
    warn: list[Role] = Field(
        default_factory=list, description="the roles warned with the holder (the team lead)"
    )
    rules: list[ClockRuleSpec] = Field(default_factory=list)

    @field_validator("business_hours")
    @classmethod
    def _schedule(cls, value):
        Schedule.from_data(value)  # ValueError names what is wrong
        return value

    @field_validator("rules")
    @classmethod
    def _unique(cls, value):
        packs.once_each((r.code for r in value), "clock rule")
        return value


class MemberSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=150, description="the person's account")
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field("", max_length=40, description="where the on-call person answers")


class TeamSpec(BaseModel):
    """A team on call: its members take turns from one hand-over to the next, during its
    hours (none: around the clock), holidays from the institution's calendar."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$")
    name: Labels
    lead: Role = Field(description="the role whose members lead it (they make overrides)")
    hours: dict = Field(default_factory=dict, description="when it is on call (a schedule)")
    handover: dt.time = dt.time(8, 0)
    every_days: int = Field(7, ge=1, le=31, description="the length of one person's turn")
    starting: dt.date = Field(description="the day the first member's first turn begins")
    members: list[MemberSpec] = Field(min_length=1)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value):
        Schedule.from_data(value)
        return value

    @field_validator("members")
    @classmethod
    def _once(cls, value):
        packs.once_each((m.username for m in value), "member")
        return value


class StepSpec(BaseModel):
    """Whom one step pages, `after` the step before it went out without an answer."""

    model_config = ConfigDict(extra="forbid")
    team: str | list[str] | None = Field(
        None, description="a team's code, or several (the one on duty now pages: day, night)"
    )
    who: Literal["on_call", "next", "lead"] = Field(
        "on_call", description="the team's person on call now, the next in turn, its lead"
    )
    role: Role | None = Field(None, description="or every member of a role")
    after: str = Field("0m", description="15m, 1h: the wait before this step")

    @field_validator("after")
    @classmethod
    def _after(cls, value):
        if value.strip() not in ("0", "0m"):
            rules.parse_duration(value)
        return value


class PolicySpec(BaseModel):
    """An escalation policy: what starts it, whom each step pages, how many rounds."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,59}$")
    triggers: list[Trigger] = Field(min_length=1)
    rounds: int = Field(1, ge=1, le=5)
    steps: list[StepSpec] = Field(min_length=1, max_length=10)


class OncallFile(BaseModel):
    """oncall.yaml"""

    model_config = ConfigDict(extra="forbid")
    response_clocks: ClocksSpec | None = None
    teams: list[TeamSpec] = Field(default_factory=list)
    policies: list[PolicySpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _steps_name_teams(self):
        codes = {t.code for t in self.teams}
        for p in self.policies:
            for n, step in enumerate(p.steps):
                if (step.team is None) == (step.role is None):
                    raise ValueError(f"policy '{p.code}' step {n + 1}: name a team or a role")
                named = [step.team] if isinstance(step.team, str) else step.team or []
                for team in named:
                    if team not in codes:
                        raise ValueError(f"policy '{p.code}' step {n + 1}: unknown team '{team}'")
        return self

    @field_validator("teams")
    @classmethod
    def _unique(cls, value):
        packs.once_each((t.code for t in value), "team code")
        return value


def apply_oncall(institution, spec: OncallFile, ctx: dict) -> None:
    packs.write_setting(institution, "response_clocks", spec.response_clocks)
    packs.write_setting(institution, "paging_policies", spec.policies)
    rows = (
        (
            t.code,
            {
                "name": t.name.model_dump(),
                "lead_role": t.lead,
                "hours": t.hours,
                "handover": t.handover,
                "every_days": t.every_days,
                "starting": t.starting,
                "members": [m.model_dump() for m in t.members],
                "position": n,
                "active": True,
            },
        )
        for n, t in enumerate(spec.teams)
    )
    packs.sync(Team, {"institution": institution}, rows, retire={"active": False})


def register() -> None:
    packs.declare_setting("response_clocks", ClocksSpec | None, None, owner="oncall")
    packs.declare_setting("paging_policies", list[PolicySpec], [], owner="oncall")
    packs.register("oncall.yaml", OncallFile, apply_oncall, required=False)
