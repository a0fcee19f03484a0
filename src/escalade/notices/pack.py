"""notices.yaml: the services notices name, and the recurring maintenance windows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from dateutil.rrule import rrulestr
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalade.core import packs
from escalade.core.hours import parse_interval
from escalade.core.packs import Labels

from . import rules
from .models import MaintenanceWindow


class WindowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$")
    title: Labels
    rrule: str = Field(max_length=300, description="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=SU")
    hours: str = Field(description="local time, e.g. 00:00-06:00")
    timezone: str
    starting: dt.date = dt.date(2020, 1, 1)
    services: list[str] = []

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, value):
        try:
            rrulestr(value, dtstart=dt.datetime(2020, 1, 1))  # noqa: DTZ001 - local wall time
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not an RRULE: {exc}") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value):
        parse_interval(value)  # ValueError with the reason
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value):
        if value not in zoneinfo.available_timezones():
            raise ValueError(f"unknown time zone '{value}'")
        return value


class NoticesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    services: list[Labels] = []
    maintenance_windows: list[WindowSpec] = []

    @model_validator(mode="after")
    def _unique(self):
        codes = [w.code for w in self.maintenance_windows]
        if len(codes) != len(set(codes)):
            raise ValueError("maintenance window codes must be unique")
        return self


def apply_notices(institution, spec: NoticesFile, ctx: dict) -> None:
    rows = []
    for w in spec.maintenance_windows:
        start, end = parse_interval(w.hours)
        first = dt.datetime.combine(w.starting, start)
        finish = (
            dt.datetime.combine(w.starting, end)
            if end
            else dt.datetime.combine(w.starting, dt.time(0))
        )
        if finish <= first:
            finish += dt.timedelta(days=1)
        values = {
            "title": w.title.model_dump(),
            "rrule": w.rrule,
            "starting": w.starting,
            "start_time": start,
            "duration_minutes": int((finish - first).total_seconds() // 60),
            "timezone": w.timezone,
            "services": w.services,
            "active": True,
        }
        rows.append((w.code, values))
    packs.sync(MaintenanceWindow, {"institution": institution}, rows, retire={"active": False})
    packs.write_setting(institution, "notice_services", spec.services)


class NoticeSettings(BaseModel):
    """settings.notices: the business days of warning before a planned interruption
    (seed 002: « cinq jours ouvrables »)."""

    model_config = ConfigDict(extra="forbid")
    business_days: int = Field(rules.DEFAULT_BUSINESS_DAYS, ge=0, le=60)


def register() -> None:
    packs.declare_setting("notices", NoticeSettings, NoticeSettings(), owner="notices")
    # the services a notice names, from notices.yaml
    packs.declare_setting("notice_services", list[Labels], [], owner="notices")
    packs.register("notices.yaml", NoticesFile, apply_notices, required=False)
