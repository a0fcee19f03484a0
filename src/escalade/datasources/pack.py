"""datasources.yaml: the organisations' data sources, the provincial codes, and the
symptoms of the incidents the monitoring opens (seed 002)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from escalade.catalog.models import Organisation
from escalade.core import packs
from escalade.core.packs import Labels

from .models import DataSource, ProvincialCode

CODE = r"^[a-z][a-z0-9_-]{1,39}$"


class Symptoms(BaseModel):
    model_config = ConfigDict(extra="forbid")
    silence: str
    rejections: str
    unmapped: str
    unrouted: str


class DataSourceSettings(BaseModel):
    """settings.datasources, from datasources.yaml: the system the codes are mapped to,
    and the symptoms of the incidents the monitoring opens."""

    model_config = ConfigDict(extra="forbid")
    target_system: str
    symptoms: Symptoms


class SourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE)
    organisation: str
    label: Labels
    system: str = Field(min_length=1, max_length=200)
    code_systems: list[str] = Field(min_length=1)
    silence_minutes: int = Field(120, ge=5, le=10080)
    rejection_threshold: float = Field(5.0, ge=0, le=100)
    unmapped_days: int = Field(14, ge=1, le=365)


class CodeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=60)
    display: str = Field(min_length=1, max_length=300)
    system: str = ""


class DataSourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target_system: str = Field(min_length=1)
    symptoms: Symptoms
    datasources: list[SourceSpec] = Field(min_length=1)
    provincial_codes: list[CodeSpec] = []

    @field_validator("datasources")
    @classmethod
    def _unique(cls, value):
        packs.once_each((d.code for d in value), "data source code")
        return value


def _cross_check(parsed: dict) -> list:
    spec = parsed.get("datasources.yaml")
    if spec is None:
        return []
    out = []
    orgs = parsed.get("organisations.yaml")
    codes = {o.code for o in orgs.organisations} if orgs else set()
    for i, d in enumerate(spec.datasources):
        if d.organisation not in codes:
            out.append(
                (
                    "datasources.yaml",
                    None,
                    f"datasources.{i}.organisation",
                    f"'{d.organisation}' is not an organisation of organisations.yaml",
                )
            )
    categories = parsed.get("categories.yaml")
    symptoms = {c.code for c in categories.categories} if categories else set()
    for name, code in spec.symptoms.model_dump().items():
        if code not in symptoms:
            out.append(
                (
                    "datasources.yaml",
                    None,
                    f"symptoms.{name}",
                    f"'{code}' is not a category of categories.yaml",
                )
            )
    return out


def apply_datasources(institution, spec: DataSourcesFile, ctx: dict) -> None:
    packs.write_setting(
        institution,
        "datasources",
        DataSourceSettings(target_system=spec.target_system, symptoms=spec.symptoms),
    )
    orgs = {o.code: o for o in Organisation.objects.filter(institution=institution)}
    sources = (
        (
            d.code,
            {
                "organisation": orgs[d.organisation],
                "label": d.label.model_dump(),
                "system": d.system,
                "code_systems": d.code_systems,
                "silence_minutes": d.silence_minutes,
                "rejection_threshold": d.rejection_threshold,
                "unmapped_days": d.unmapped_days,
                "active": True,
            },
        )
        for d in spec.datasources
    )
    within = {"institution": institution}
    packs.sync(DataSource, within, sources, retire={"active": False})
    codes = (
        ((c.system or spec.target_system, c.code), {"display": c.display})
        for c in spec.provincial_codes
    )
    packs.sync(ProvincialCode, within, codes, key=("system", "code"))


def register() -> None:
    packs.declare_setting("datasources", DataSourceSettings | None, None, owner="datasources")
    packs.register("datasources.yaml", DataSourcesFile, apply_datasources, required=False)
    packs.register_cross_check(_cross_check)
