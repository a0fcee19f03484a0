"""protocol.yaml: the steps of seed 000's live troubleshooting and its time window."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from escalade.core import packs
from escalade.core.packs import Labels


class WindowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warn_after_minutes: int = Field(gt=0)
    cancel_after_minutes: int = Field(gt=0)

    @model_validator(mode="after")
    def _order(self):
        if self.cancel_after_minutes <= self.warn_after_minutes:
            raise ValueError("cancel_after_minutes must come after warn_after_minutes")
        return self


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=1, le=12)
    title: Labels
    role: Labels | dict[str, Labels]
    text: Labels


class ProtocolFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window: WindowSpec
    steps: list[StepSpec] = Field(min_length=12, max_length=12)

    @model_validator(mode="after")
    def _numbered(self):
        if [s.n for s in self.steps] != list(range(1, 13)):
            raise ValueError("steps must be numbered 1 to 12 in order")
        return self


def apply_protocol(institution, spec: ProtocolFile, ctx: dict) -> None:
    """The protocol lives in the institution's settings (read by telesessions.rules)."""
    packs.write_setting(institution, "protocol", spec)


def register() -> None:
    packs.declare_setting("protocol", ProtocolFile | None, None, owner="telesessions")
    packs.register("protocol.yaml", ProtocolFile, apply_protocol, required=False)
