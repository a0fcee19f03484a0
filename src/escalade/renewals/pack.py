"""What the renewals read from packs: their reminder leads in institution.yaml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from escalade.core import packs

from . import rules


class RenewalSettings(BaseModel):
    """settings.renewals: days before a certificate's end to remind (seed 002: 90, 60 and
    30), and before a licence's end when its catalogue entry says nothing."""

    model_config = ConfigDict(extra="forbid")
    certificate_days: list[int] = Field(list(rules.LEADS), min_length=1, max_length=6)
    licence_days: int = Field(rules.DEFAULT_LICENCE_DAYS, ge=1, le=365)


def register() -> None:
    packs.declare_setting("renewals", RenewalSettings, RenewalSettings(), owner="renewals")
