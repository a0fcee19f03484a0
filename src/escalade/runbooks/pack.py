"""runbooks.yaml: the failure cases' runbooks, the workstation groups their broadcasts go
to, and the schedules of their time-dependent steps (seed 004)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from escalade.accounts.choices import Role
from escalade.core import packs
from escalade.core.hours import Schedule, parse_duration
from escalade.core.packs import Labels

from .models import AlertRule, Runbook, Unit, WorkstationGroup

CODE = r"^[a-z][a-z0-9_]{1,39}$"
OwnerRole = Literal[tuple(Role.values)]  # whose members own a runbook (told of its review)


class GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE)
    label: Labels
    hosts: list[str] = Field(min_length=1)
    emails: list[str] = Field([], description="mailing lists that get the broadcasts too")

    @field_validator("emails")
    @classmethod
    def _emails(cls, value):
        for address in value:
            try:
                validate_email(address)
            except ValidationError as exc:
                raise ValueError(f"'{address}' is not an e-mail address") from exc
        return value


def _duration(value: str) -> str:
    if value.strip() not in ("0", "0m"):
        parse_duration(value)  # ValueError with the reason
    return value


Duration = Annotated[str, AfterValidator(_duration)]


class LeadSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field("", max_length=40, description="paged by SMS when the unit is silent")
    username: str = Field("", max_length=150, description="their account, if they have one")


class UnitSpec(BaseModel):
    """A care unit that confirms it switched to the degraded procedure (and back) when a
    broadcast goes to one of its groups; silent, its lead is paged."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE)
    label: Labels
    groups: list[str] = Field(min_length=1, description="the broadcast groups that ask it")
    lead: LeadSpec


class BroadcastSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str
    type: Literal["warning", "info"]
    title: Labels
    message: Labels


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Labels
    when: str = ""

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value):
        # a step is its text ({en, fr}), or {text, when} when it depends on the time
        if isinstance(value, dict) and "text" not in value:
            return {"text": value}
        return value


class TellSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    who: Labels
    channels: list[str] = Field(min_length=1, description="catalogue channels: provider.channel")


class DefaultsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = "1"
    owner: Labels | None = None
    owner_role: OwnerRole = "manager"
    review_on: dt.date | None = None


class RunbookSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE)
    system: str = Field(max_length=40)
    symptom: str
    title: Labels
    trigger: Labels
    tell: list[TellSpec] = []
    registry: bool = False
    access_codes: bool = False
    start_broadcasts: list[BroadcastSpec] = []
    end_broadcasts: list[BroadcastSpec] = []
    degraded: list[StepSpec] = []
    restore: list[StepSpec] = []
    related: list[str] = []
    confirm_within: Duration | None = Field(
        None, description="the units' delay to confirm for this runbook (0: not asked)"
    )
    version: str | None = None
    owner: Labels | None = None
    owner_role: OwnerRole | None = None
    review_on: dt.date | None = None


class AlertRuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    match: dict[str, str] = Field(min_length=1, description="labels the alert must carry")
    runbook: str


class RunbooksFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schedules: dict[str, dict] = {}
    alerts: list[AlertRuleSpec] = []
    alert_symptom: str = Field("", description="the symptom of an alert that maps to nothing")
    groups: list[GroupSpec] = Field(min_length=1)
    units: list[UnitSpec] = []
    drill_group: str = Field(
        "", description="the group a drill's broadcasts go to (never real workstations)"
    )
    confirm_within: Duration = Field(
        "15m", description="a unit silent this long after a broadcast is paged through its lead"
    )
    defaults: DefaultsSpec = DefaultsSpec()
    contacts: dict[str, TellSpec] = {}  # reusable blocks (YAML anchors)
    runbooks: list[RunbookSpec] = Field(min_length=1)

    @field_validator("schedules")
    @classmethod
    def _schedules(cls, value):
        for data in value.values():
            Schedule.from_data(data)  # ValueError with the reason
        return value

    @model_validator(mode="after")
    def _references(self):
        codes = [r.code for r in self.runbooks]
        if len(codes) != len(set(codes)):
            raise ValueError("runbook codes must be unique")
        groups = {g.code for g in self.groups}
        if self.drill_group and self.drill_group not in groups:
            raise ValueError(f"drill_group: unknown group '{self.drill_group}'")
        packs.once_each((u.code for u in self.units), "unit code")
        for u in self.units:
            for g in u.groups:
                if g not in groups:
                    raise ValueError(f"unit {u.code}: unknown group '{g}'")
        for r in self.runbooks:
            for b in r.start_broadcasts + r.end_broadcasts:
                if b.group not in groups:
                    raise ValueError(f"{r.code}: unknown group '{b.group}'")
            for s in r.degraded + r.restore:
                if s.when and s.when not in self.schedules:
                    raise ValueError(f"{r.code}: unknown schedule '{s.when}'")
            for other in r.related:
                if other not in codes:
                    raise ValueError(f"{r.code}: unknown related runbook '{other}'")
        for a in self.alerts:
            if a.runbook not in codes:
                raise ValueError(f"alerts: unknown runbook '{a.runbook}'")
        return self


def _cross_check(parsed: dict) -> list:
    """Whom to tell names channels of the catalogue; the symptom is one of the pack's."""
    spec = parsed.get("runbooks.yaml")
    if spec is None:
        return []
    catalog = parsed.get("catalog.yaml")
    channels = {
        f"{p.code}.{c.code}" for p in (catalog.providers if catalog else []) for c in p.channels
    }
    categories = parsed.get("categories.yaml")
    symptoms = {c.code for c in (categories.categories if categories else [])}
    out = []
    for r in spec.runbooks:
        for t in r.tell:
            out += [
                ("runbooks.yaml", None, f"{r.code}.tell", f"unknown channel '{ref}' (catalog.yaml)")
                for ref in t.channels
                if ref not in channels
            ]
        if r.symptom not in symptoms:
            out.append(
                ("runbooks.yaml", None, f"{r.code}.symptom", f"unknown symptom '{r.symptom}'")
            )
    if spec.alert_symptom and spec.alert_symptom not in symptoms:
        out.append(
            ("runbooks.yaml", None, "alert_symptom", f"unknown symptom '{spec.alert_symptom}'")
        )
    return out


def apply_runbooks(institution, spec: RunbooksFile, ctx: dict) -> None:
    """Groups and runbooks are updated in place (outages keep their runbook); one the pack
    no longer has is deactivated, never deleted."""
    within = {"institution": institution}
    groups = (
        (g.code, {"label": g.label.model_dump(), "hosts": g.hosts, "emails": g.emails})
        for g in spec.groups
    )
    packs.sync(WorkstationGroup, within, groups)
    units = (
        (
            u.code,
            {
                "label": u.label.model_dump(),
                "groups": u.groups,
                "lead": u.lead.model_dump(),
                "position": n,
                "active": True,
            },
        )
        for n, u in enumerate(spec.units)
    )
    packs.sync(Unit, within, units, retire={"active": False})

    def steps(items: list[StepSpec]) -> list[dict]:
        return [
            {"text": s.text.model_dump(), "when": s.when, "schedule": spec.schedules.get(s.when)}
            for s in items
        ]

    owner = spec.defaults.owner.model_dump() if spec.defaults.owner else {}
    runbooks = (
        (
            r.code,
            {
                "position": n,
                "system": r.system,
                "symptom": r.symptom,
                "title": r.title.model_dump(),
                "trigger": r.trigger.model_dump(),
                "tell": [t.model_dump() for t in r.tell],
                "registry": r.registry,
                "access_codes": r.access_codes,
                "start_broadcasts": [b.model_dump() for b in r.start_broadcasts],
                "end_broadcasts": [b.model_dump() for b in r.end_broadcasts],
                "degraded": steps(r.degraded),
                "restore": steps(r.restore),
                "related": r.related,
                "confirm_within": _seconds(
                    r.confirm_within if r.confirm_within is not None else spec.confirm_within
                ),
                "version": r.version or spec.defaults.version,
                "owner": r.owner.model_dump() if r.owner else owner,
                "owner_role": r.owner_role or spec.defaults.owner_role,
                "review_on": r.review_on or spec.defaults.review_on,
                "active": True,
            },
        )
        for n, r in enumerate(spec.runbooks)
    )
    packs.sync(Runbook, within, runbooks, retire={"active": False})
    AlertRule.objects.filter(institution=institution).delete()
    by_code = {r.code: r for r in Runbook.objects.filter(institution=institution)}
    AlertRule.objects.bulk_create(
        [
            AlertRule(
                institution=institution, position=n, match=a.match, runbook=by_code[a.runbook]
            )
            for n, a in enumerate(spec.alerts)
        ]
    )
    packs.write_setting(institution, "alert_symptom", spec.alert_symptom)
    packs.write_setting(institution, "drill_group", spec.drill_group)


def _seconds(duration: str) -> int:
    return 0 if duration.strip() in ("0", "0m") else parse_duration(duration)


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from exc
    return value


def register() -> None:
    # the RIS's patient ids (IPP) of the degraded-mode registry (seed 004)
    packs.declare_setting(
        "ipp_pattern", Annotated[str, AfterValidator(_pattern)], None, owner="runbooks"
    )
    # how birth dates are typed in the registry, when not the country's way
    packs.declare_setting("date_order", Literal["dmy", "ymd"] | None, None, owner="runbooks")
    # the symptom of the incidents opened by monitoring alerts, from runbooks.yaml
    packs.declare_setting("alert_symptom", str, "", owner="runbooks")
    # the workstation group a drill's broadcasts go to, from runbooks.yaml
    packs.declare_setting("drill_group", str, "", owner="runbooks")
    packs.register("runbooks.yaml", RunbooksFile, apply_runbooks, required=False)
    packs.register_cross_check(_cross_check)
