"""chart.yaml: the routing chart of seed 003 section 4, with its reminders."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from escalade.catalog.pack import ChannelSpec
from escalade.core import packs
from escalade.core.packs import Labels

from .choices import Location, Need, Requester, Subject
from .models import Chart, ChartRow


class InlineChannel(ChannelSpec):
    """A channel written in the chart itself (the chart's own words for it)."""

    code: str = "inline"


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: str | None = None
    instruction: Labels
    channels: list[str | InlineChannel] = []


class LevelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int = Field(ge=1, le=3)
    steps: list[StepSpec] = Field(min_length=1)


class RowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requester: Literal[tuple(Requester.values)]  # type: ignore[valid-type]
    need: Literal[tuple(Need.values)]  # type: ignore[valid-type]
    subject: Literal[tuple(Subject.values)]  # type: ignore[valid-type]
    location: Literal[tuple(["", *Location.values])] = ""  # type: ignore[valid-type]
    supported: bool = True
    source: str = Field("", max_length=100)
    levels: list[LevelSpec] = []
    notes: list[Labels] = []


class ChartFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reminders: list[Labels] = []
    fallback: dict[Literal[tuple(Requester.values)], list[StepSpec]]  # type: ignore[valid-type]
    rows: list[RowSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_rows(self):
        seen = set()
        for row in self.rows:
            key = (row.requester, row.need, row.subject, row.location)
            if key in seen:
                raise ValueError(f"row {'/'.join(k or '-' for k in key)} appears twice")
            seen.add(key)
        return self


def _steps(steps: list[StepSpec]) -> list[dict]:
    return [
        {
            "provider": s.provider,
            "instruction": s.instruction.model_dump(),
            "channels": [
                c if isinstance(c, str) else c.model_dump(exclude_none=True) for c in s.channels
            ],
        }
        for s in steps
    ]


def _cross_check(parsed: dict) -> list:
    chart = parsed.get("chart.yaml")
    if chart is None:
        return []
    catalog = parsed.get("catalog.yaml")
    if catalog is None:
        return [("chart.yaml", None, "", "a chart needs the pack's catalog.yaml")]
    providers = {p.code: {c.code for c in p.channels} for p in catalog.providers}
    problems = []

    def check(steps, where):
        for j, step in enumerate(steps):
            if step.provider and step.provider not in providers:
                problems.append(
                    (
                        "chart.yaml",
                        None,
                        f"{where}.steps.{j}.provider",
                        f"unknown provider '{step.provider}'",
                    )
                )
            for ref in step.channels:
                if isinstance(ref, str):
                    prov, _, chan = ref.partition(".")
                    if chan not in providers.get(prov, set()):
                        problems.append(
                            (
                                "chart.yaml",
                                None,
                                f"{where}.steps.{j}.channels",
                                f"unknown channel '{ref}' (provider.channel)",
                            )
                        )

    for i, row in enumerate(chart.rows):
        for lv in row.levels:
            check(lv.steps, f"rows.{i}.levels.{lv.level}")
    for requester, steps in chart.fallback.items():
        check(steps, f"fallback.{requester}")
    return problems


def apply_chart(institution, spec: ChartFile, ctx: dict) -> None:
    chart, _ = Chart.objects.update_or_create(
        institution=institution,
        defaults={
            "reminders": [r.model_dump() for r in spec.reminders],
            "fallback": {k: _steps(v) for k, v in spec.fallback.items()},
        },
    )
    rows = (
        (
            (row.requester, row.need, row.subject, row.location),
            {
                "supported": row.supported,
                "levels": [{"level": lv.level, "steps": _steps(lv.steps)} for lv in row.levels],
                "notes": [n.model_dump() for n in row.notes],
                "source": row.source,
                "position": position,
            },
        )
        for position, row in enumerate(spec.rows)
    )
    key = ("requester", "need", "subject", "location")
    kept = packs.sync(ChartRow, {"chart": chart}, rows, key=key)
    # a row is its four answers: one the chart no longer has goes (no other row refers to it)
    ChartRow.objects.filter(chart=chart).exclude(pk__in=[r.pk for r in kept]).delete()


def register() -> None:
    packs.register("chart.yaml", ChartFile, apply_chart, required=False)
    packs.register_cross_check(_cross_check)
