"""oncall.yaml: the response clocks of the institution's incidents (the on-call rotations
and escalation policies come next, in the same file)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from escalade.accounts.choices import Role
from escalade.core import packs
from escalade.core.hours import Schedule

from . import rules


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


class OncallFile(BaseModel):
    """oncall.yaml"""

    model_config = ConfigDict(extra="forbid")
    response_clocks: ClocksSpec


def apply_oncall(institution, spec: OncallFile, ctx: dict) -> None:
    packs.write_setting(institution, "response_clocks", spec.response_clocks)


def register() -> None:
    packs.declare_setting("response_clocks", ClocksSpec | None, None, owner="oncall")
    packs.register("oncall.yaml", OncallFile, apply_oncall, required=False)
