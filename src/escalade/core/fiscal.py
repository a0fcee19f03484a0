"""The fiscal calendar of Quebec's health and social services network: the year runs
April 1 to March 31 in 13 periods (P1-P13). The official dates are published each
year: a loaded table (FiscalPeriod rows) wins; without one, a default rule generates
them (P1 starts April 1, P1-P12 last 28 days each, P13 runs to March 31).

`fiscal_year` is the calendar year in which the fiscal year starts (2026 = 2026-2027)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction

from .models import FiscalPeriod


@dataclass(frozen=True)
class Period:
    year: int
    number: int
    start: dt.date
    end: dt.date  # inclusive
    generated: bool = True

    @property
    def code(self) -> str:
        return f"{self.year}-P{self.number:02d}"


def fiscal_year_of(day: dt.date) -> int:
    return day.year if day >= dt.date(day.year, 4, 1) else day.year - 1


def default_periods(year: int) -> list[Period]:
    """The documented default rule: 12 periods of 28 days from April 1, then P13 to March 31."""
    start = dt.date(year, 4, 1)
    out = []
    for n in range(1, 13):
        out.append(Period(year, n, start, start + dt.timedelta(days=27)))
        start += dt.timedelta(days=28)
    out.append(Period(year, 13, start, dt.date(year + 1, 3, 31)))
    return out


def check_table(year: int, periods: list[Period]) -> list[str]:
    """Problems of a loaded table: 13 contiguous periods from April 1 to March 31."""
    problems = []
    if [p.number for p in periods] != list(range(1, 14)):
        problems.append(f"{year}: periods must be numbered 1 to 13")
        return problems
    if periods[0].start != dt.date(year, 4, 1):
        problems.append(f"{year}: P1 must start on {year}-04-01")
    if periods[-1].end != dt.date(year + 1, 3, 31):
        problems.append(f"{year}: P13 must end on {year + 1}-03-31")
    for a, b in zip(periods, periods[1:], strict=False):
        if a.end < a.start:
            problems.append(f"{a.code}: ends before it starts")
        if b.start != a.end + dt.timedelta(days=1):
            problems.append(f"{b.code}: must start the day after {a.code} ends")
    return problems


def parse_code(code: str) -> tuple[int, int]:
    """'2026-P05' -> (2026, 5); raises ValueError."""
    year, _, number = code.upper().partition("-P")
    y, n = int(year), int(number)
    if not 1 <= n <= 13:
        raise ValueError(f"'{code}': the period is P01 to P13")
    return y, n


def periods(year: int) -> list[Period]:
    """The periods of `year`: the loaded table if there is one, else the default rule."""

    rows = list(FiscalPeriod.objects.filter(year=year).order_by("number"))
    if rows:
        return [Period(year, r.number, r.start, r.end, generated=False) for r in rows]
    return default_periods(year)


def period_of(day: dt.date) -> Period:
    return next(p for p in periods(fiscal_year_of(day)) if p.start <= day <= p.end)


def import_csv(text: str) -> dict[int, int]:
    """Load official periods from CSV (columns year, period, start, end; ISO dates, end
    inclusive). Each year is checked whole (13 contiguous periods) and replaced in one
    transaction; returns {year: periods}. Raises ValueError naming the problems."""

    by_year: dict[int, list[Period]] = {}
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    for line, row in enumerate(reader, start=2):
        try:
            year, number = int(row["year"]), int(row["period"])
            by_year.setdefault(year, []).append(
                Period(
                    year,
                    number,
                    dt.date.fromisoformat(row["start"].strip()),
                    dt.date.fromisoformat(row["end"].strip()),
                    generated=False,
                )
            )
        except (KeyError, ValueError, AttributeError) as exc:
            raise ValueError(f"line {line}: {exc}") from exc
    problems = []
    for year, rows in by_year.items():
        problems += check_table(year, sorted(rows, key=lambda p: p.number))
    if problems:
        raise ValueError("; ".join(problems))
    with transaction.atomic():
        for year, rows in by_year.items():
            FiscalPeriod.objects.filter(year=year).delete()
            FiscalPeriod.objects.bulk_create(
                [FiscalPeriod(year=year, number=p.number, start=p.start, end=p.end) for p in rows]
            )
    return {year: len(rows) for year, rows in by_year.items()}
