"""What the problems read from packs: the detection settings of institution.yaml
(seed 001, point 3)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from escalade.core import packs


class ProblemSettings(BaseModel):
    """settings.problems: alike incidents (same symptom and site, similar descriptions)
    within `window_days` make a proposal once there are `threshold` of them; a problem
    closes after `quiet_days` without a new one."""

    model_config = ConfigDict(extra="forbid")
    threshold: int = Field(3, ge=2, le=100)
    window_days: int = Field(30, ge=1, le=365)
    similarity: int = Field(60, ge=0, le=100, description="percent of words in common")
    quiet_days: int = Field(30, ge=1, le=365)


def register() -> None:
    packs.declare_setting("problems", ProblemSettings, ProblemSettings(), owner="problems")
