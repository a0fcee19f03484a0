"""catalog.yaml: providers, their channels and schedules, licences."""

from __future__ import annotations

from typing import Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalade.core import packs
from escalade.core.errors import Invalid
from escalade.core.hours import Schedule
from escalade.core.packs import Labels

from . import rules
from .choices import ChannelKind, Phase
from .models import Channel, Contact, Licence, Organisation, Provider
from .services import normalise_phone


class ChannelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    kind: Literal["phone", "email", "web", "portal", "appointment", "person"]
    label: Labels | None = None
    value: str | Labels
    extension: str = Field("", max_length=10, pattern=r"^[0-9]*$")
    path: Labels | None = None
    urgent_only: bool = False
    schedule: dict | None = None

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value):
        if value is not None:
            Schedule.from_data(value)  # raises ValueError with the reason
        return value

    @model_validator(mode="after")
    def _phone(self):
        if self.kind == "phone":
            try:
                ok = phonenumbers.is_valid_number(phonenumbers.parse(str(self.value), "CA"))
            except phonenumbers.NumberParseException:
                ok = False
            if not ok:
                raise ValueError(f"'{self.value}' is not a valid phone number")
        return self


class ReferenceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Labels
    value: str = Field(min_length=1, max_length=60)


class ProviderSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: Labels
    summary: Labels | None = None
    phases: list[Literal["project_evaluation", "deployment", "after_deployment"]] = []
    offers: list[Labels] = []
    exclusions: list[Labels] = []
    particularities: list[Labels] = []
    examples: list[Labels] = []
    how_to_reach: list[Labels] = []
    response_delays: list[Labels] = []
    vendor: bool = False
    references: list[ReferenceSpec] = []
    call_sheet: list[Labels] = []
    channels: list[ChannelSpec] = []


class LicenceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: str = Field(max_length=100)
    provider: str
    renewal_owner: Labels
    lead_days: int | None = Field(None, ge=0)
    lead_months: int | None = Field(None, ge=1, le=24)
    note: Labels | None = None


class CatalogFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    providers: list[ProviderSpec] = Field(min_length=1)
    licences: list[LicenceSpec] = []

    @model_validator(mode="after")
    def _references(self):
        codes = [p.code for p in self.providers]
        if len(codes) != len(set(codes)):
            raise ValueError("provider codes must be unique")
        for lic in self.licences:
            if lic.provider not in codes:
                raise ValueError(f"licence '{lic.product}': unknown provider '{lic.provider}'")
        return self


def _dump(labels):
    return labels.model_dump() if labels is not None else {}


def _provider_values(p: ProviderSpec, position: int) -> dict:
    return {
        "name": p.name.model_dump(),
        "summary": _dump(p.summary),
        "phases": list(p.phases),
        "offers": [x.model_dump() for x in p.offers],
        "exclusions": [x.model_dump() for x in p.exclusions],
        "particularities": [x.model_dump() for x in p.particularities],
        "examples": [x.model_dump() for x in p.examples],
        "how_to_reach": [x.model_dump() for x in p.how_to_reach],
        "response_delays": [x.model_dump() for x in p.response_delays],
        "vendor": p.vendor,
        "references": [x.model_dump() for x in p.references],
        "call_sheet": [x.model_dump() for x in p.call_sheet],
        "position": position,
        "active": True,
    }


def _channel_values(c: ChannelSpec, position: int) -> dict:
    return {
        "kind": c.kind,
        "label": _dump(c.label),
        "value": c.value if isinstance(c.value, str) else c.value.model_dump(),
        "extension": c.extension,
        "path": _dump(c.path),
        "urgent_only": c.urgent_only,
        "schedule": c.schedule,
        "position": position,
        "active": True,
    }


def apply_catalog(institution, spec: CatalogFile, ctx: dict) -> None:
    within, retire = {"institution": institution}, {"active": False}
    rows = ((p.code, _provider_values(p, n)) for n, p in enumerate(spec.providers))
    providers = packs.sync(Provider, within, rows, retire=retire)
    for p, provider in zip(spec.providers, providers, strict=True):
        channels = ((c.code, _channel_values(c, n)) for n, c in enumerate(p.channels))
        packs.sync(Channel, {"provider": provider}, channels, retire=retire)
    by_code = {p.code: p for p in providers}
    licences = (
        (
            lic.product,
            {
                "provider": by_code[lic.provider],
                "renewal_owner": lic.renewal_owner.model_dump(),
                "lead_days": lic.lead_days,
                "lead_months": lic.lead_months,
                "note": _dump(lic.note),
            },
        )
        for lic in spec.licences
    )
    packs.sync(Licence, within, licences, key="product")


class ContactSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["service_desk", "interface_specialist", "registration_lead", "phi_designate"]
    name: str = Field(min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    phone: str = ""
    extension: str = Field("", max_length=10, pattern=r"^[0-9]*$")
    language: Literal["fr", "en"] = "fr"

    @field_validator("phone")
    @classmethod
    def _phone(cls, value):
        try:
            return normalise_phone(value)
        except Invalid as exc:
            raise ValueError(f"'{value}' is not a valid phone number") from exc


class OrganisationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    name: Labels
    kind: Literal["contributing", "consuming", "both"] = "both"
    holidays: packs.HolidaysSpec | None = None
    contacts: list[ContactSpec] = []


class OrganisationsFile(BaseModel):
    """organisations.yaml: the organisations the desk serves and their designated contacts."""

    model_config = ConfigDict(extra="forbid")
    organisations: list[OrganisationSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        codes = [o.code for o in self.organisations]
        if len(codes) != len(set(codes)):
            raise ValueError("organisation codes must be unique")
        return self


def apply_organisations(institution, spec: OrganisationsFile, ctx: dict) -> None:
    """Organisations are updated in place; a contact is matched by organisation, role and
    name, so that loading the pack again keeps the confirmation dates the desk recorded."""
    country, subdivision = institution.holiday_country, institution.holiday_subdivision
    rows = (
        (
            o.code,
            {
                "name": o.name.model_dump(),
                "kind": o.kind,
                "holiday_country": o.holidays.country if o.holidays else country,
                "holiday_subdivision": o.holidays.subdivision if o.holidays else subdivision,
                "active": True,
            },
        )
        for o in spec.organisations
    )
    orgs = packs.sync(Organisation, {"institution": institution}, rows)
    for o, org in zip(spec.organisations, orgs, strict=True):
        contacts = (
            (
                (c.role, c.name),
                {
                    "email": c.email,
                    "phone": c.phone,
                    "extension": c.extension,
                    "language": c.language,
                },
            )
            for c in o.contacts
        )
        packs.sync(Contact, {"organisation": org}, contacts, key=("role", "name"))


class ContactSettings(BaseModel):
    """settings.contacts: how often (months) the organisations confirm their contacts."""

    model_config = ConfigDict(extra="forbid")
    confirm_months: int = Field(rules.DEFAULT_CONFIRM_MONTHS, ge=1, le=36)


def register() -> None:
    packs.declare_setting("contacts", ContactSettings, ContactSettings(), owner="catalog")
    packs.register("catalog.yaml", CatalogFile, apply_catalog, required=False)
    packs.register("organisations.yaml", OrganisationsFile, apply_organisations, required=False)


__all__ = ["ChannelKind", "Phase", "register"]
