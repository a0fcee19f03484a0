"""Routing rules: validate a question and find its row in the chart (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import Location, Need, Requester, Subject


@dataclass(frozen=True)
class Question:
    requester: str
    need: str
    subject: str
    location: str = ""


def invalid_fields(q: Question) -> list[tuple[str, str, list[str]]]:
    """(field, value, valid values) for every code that is not one of the chart's."""
    out = []
    for field, value, choices in (
        ("requester", q.requester, Requester),
        ("need", q.need, Need),
        ("subject", q.subject, Subject),
    ):
        if value not in choices.values:
            out.append((field, value, list(choices.values)))
    if q.location and q.location not in Location.values:
        out.append(("location", q.location, list(Location.values)))
    return out


def needs_location(q: Question) -> bool:
    return q.subject == Subject.INTERNET_CONNECTION and not q.location


def key(q: Question) -> tuple[str, str, str, str]:
    location = q.location if q.subject == Subject.INTERNET_CONNECTION else ""
    return (q.requester, q.need, q.subject, location)


def find_row(rows: dict[tuple, dict], q: Question) -> dict | None:
    """The chart row answering `q`, or None when the chart does not cover it."""
    return rows.get(key(q)) or rows.get((q.requester, q.need, q.subject, ""))
