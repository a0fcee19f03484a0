"""The incident files of a pack: categories.yaml and incidents.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalade.accounts.choices import Role
from escalade.core import packs
from escalade.core.packs import Labels

from .choices import Impact, Severity, SymptomGroup, Urgency
from .models import IncidentPolicy, SymptomCategory
from .rules import CONDITIONS
from .services import guides as guide_services


class CategorySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    group: Literal["minor", "major", "other"]
    label: Labels
    examples: Labels | None = None
    impact: Literal["high", "medium", "low"] | None = None
    urgency: Literal["high", "medium", "low"] | None = None
    # Words that name the symptom in a written request (an e-mail), in each language.
    keywords: dict[Literal["en", "fr"], list[str]] = {}


class CategoriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: list[CategorySpec] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _unique(cls, value):
        packs.once_each((c.code for c in value), "category code")
        return value


def known_roles(value: list[str]) -> list[str]:
    for r in value:
        if r not in Role.values:
            raise ValueError(f"unknown role '{r}' (one of {', '.join(Role.values)})")
    return value


class LevelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: int = Field(ge=1, le=3)
    label: Labels
    description: Labels
    holders: list[str] = Field(min_length=1)

    _roles = field_validator("holders")(classmethod(lambda cls, v: known_roles(v)))


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    when: dict = Field(default_factory=dict, alias="if")
    severity: Literal["minor", "major"]
    reason: Labels

    @field_validator("when")
    @classmethod
    def _conditions(cls, value):
        for key in value:
            if key not in CONDITIONS:
                raise ValueError(
                    f"unknown condition '{key}' (one of {', '.join(sorted(CONDITIONS))})"
                )
        return value


Triple = dict[Literal["high", "medium", "low"], int]


class PrioritySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    matrix: dict[Literal["high", "medium", "low"], Triple]
    default_impact: Literal["high", "medium", "low"] = Impact.MEDIUM
    default_urgency: Literal["high", "medium", "low"] = Urgency.MEDIUM

    @model_validator(mode="after")
    def _complete(self):
        for impact in Impact.values:
            for urgency in Urgency.values:
                value = self.matrix.get(impact, {}).get(urgency)
                if value is None or not 1 <= value <= 5:
                    raise ValueError(f"matrix.{impact}.{urgency} must be a priority from 1 to 5")
        return self


class DeclarationSpec(BaseModel):
    """The incident declaration a patient-safety event calls for (seed 003: the ministry's
    form AH-223, which the seed writes AH-233, with the keyword « Télésanté »)."""

    model_config = ConfigDict(extra="forbid")
    form: str = Field(max_length=20)
    keyword: str = Field(max_length=60)
    where: Labels | None = None


class IncidentsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    levels: list[LevelSpec] = Field(min_length=3, max_length=3)
    classification: list[RuleSpec] = Field(min_length=1)
    assignment: dict[Literal["minor", "major"], list[str]]
    priority: PrioritySpec
    follow_up_hours: float = Field(gt=0)
    declaration: DeclarationSpec | None = None
    report_distribution: list[str] = []

    _distribution = field_validator("report_distribution")(
        classmethod(lambda cls, v: known_roles(v))
    )

    @field_validator("classification")
    @classmethod
    def _catch_all_last(cls, value):
        if value[-1].when:
            raise ValueError("the last classification rule must have no condition (the catch-all)")
        return value

    @field_validator("assignment")
    @classmethod
    def _assign_roles(cls, value):
        for sev in Severity.values:
            if sev not in value:
                raise ValueError(f"assignment for '{sev}' incidents is missing")
            for r in value[sev]:
                if r not in Role.values:
                    raise ValueError(f"unknown role '{r}'")
        return value


def _cross_check(parsed: dict) -> list:
    cats = parsed.get("categories.yaml")
    inc = parsed.get("incidents.yaml")
    if bool(cats) != bool(inc):
        have, need = (
            ("incidents.yaml", "categories.yaml") if inc else ("categories.yaml", "incidents.yaml")
        )
        return [(have, None, "", f"{have} needs {need} in the same pack")]
    if not cats:
        return []
    codes = {c.code for c in cats.categories}
    problems = []
    for i, rule in enumerate(inc.classification):
        for code in rule.when.get("symptom_in", []):
            if code not in codes:
                problems.append(
                    (
                        "incidents.yaml",
                        None,
                        f"classification.{i}.if.symptom_in",
                        f"unknown symptom '{code}'",
                    )
                )
        groups = rule.when.get("symptom_group", [])
        for g in groups if isinstance(groups, list) else [groups]:
            if g not in SymptomGroup.values:
                problems.append(
                    (
                        "incidents.yaml",
                        None,
                        f"classification.{i}.if.symptom_group",
                        f"unknown group '{g}'",
                    )
                )
    return problems


def apply_categories(institution, spec: CategoriesFile, ctx: dict) -> None:
    rows = (
        (
            c.code,
            {
                "group": c.group,
                "label": c.label.model_dump(),
                "examples": c.examples.model_dump() if c.examples else {},
                "position": position,
                "active": True,
                "impact": c.impact or "",
                "urgency": c.urgency or "",
                "keywords": c.keywords,
            },
        )
        for position, c in enumerate(spec.categories)
    )
    # Never delete: incidents refer to retired categories.
    packs.sync(SymptomCategory, {"institution": institution}, rows, retire={"active": False})


def apply_incidents(institution, spec: IncidentsFile, ctx: dict) -> None:
    IncidentPolicy.objects.update_or_create(
        institution=institution,
        defaults={
            "levels": [lv.model_dump() for lv in sorted(spec.levels, key=lambda lv: lv.number)],
            "classification": [
                {
                    "code": r.code,
                    "if": r.when,
                    "severity": r.severity,
                    "reason": r.reason.model_dump(),
                }
                for r in spec.classification
            ],
            "assignment": spec.assignment,
            "priority_matrix": spec.priority.matrix,
            "default_impact": spec.priority.default_impact,
            "default_urgency": spec.priority.default_urgency,
            "follow_up_hours": spec.follow_up_hours,
            "declaration": spec.declaration.model_dump() if spec.declaration else {},
            "report_distribution": spec.report_distribution,
        },
    )


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Labels


class GuidesFile(BaseModel):
    """Level 1's diagnostic guides: per symptom code, the steps in order."""

    model_config = ConfigDict(extra="forbid")
    guides: dict[str, list[StepSpec]] = Field(min_length=1)

    @field_validator("guides")
    @classmethod
    def _steps(cls, value):
        for code, steps in value.items():
            if not steps:
                raise ValueError(f"the guide of '{code}' has no step")
        return value


def _guides_check(parsed: dict) -> list:
    guides, cats = parsed.get("guides.yaml"), parsed.get("categories.yaml")
    if not guides:
        return []
    codes = {c.code for c in cats.categories} if cats else set()
    return [
        ("guides.yaml", None, f"guides.{code}", f"unknown symptom '{code}'")
        for code in guides.guides
        if code not in codes
    ]


def apply_guides(institution, spec: GuidesFile, ctx: dict) -> None:
    guide_services.from_pack(
        institution,
        {code: [s.model_dump() for s in steps] for code, steps in spec.guides.items()},
    )


def register() -> None:
    # the service desk the callers of the institution are given (Ontario's, seed 002)
    packs.declare_setting("desk_phone", str, "", owner="incidents")
    packs.declare_setting("desk_email", packs.Email, "", owner="incidents")
    # Optional: a pack may carry only a catalogue and a chart (intake then says the
    # institution has no incident rules yet).
    packs.register("categories.yaml", CategoriesFile, apply_categories, required=False)
    packs.register("incidents.yaml", IncidentsFile, apply_incidents, required=False)
    packs.register("guides.yaml", GuidesFile, apply_guides, required=False)
    packs.register_cross_check(_cross_check)
    packs.register_cross_check(_guides_check)
