"""The runbooks' rules, as plain functions over pack data (no web, no database): which
workstations a group names, which steps apply at a moment, the outage's moves, the
provisional patient id."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

from escalade.core.hours import Calendar, Schedule, is_open
from escalade.core.transitions import Transitions

# An outage: degraded mode, then the return to normal, then closed (seed 004).
OUTAGE = Transitions(
    {
        "restore": {"active": "restoring"},
        "close": {"restoring": "closed"},
    }
)


@lru_cache(maxsize=512)
def _pattern(pattern: str) -> re.Pattern:
    """A host-name pattern as seed 004 writes them: `*` any characters, `?` one,
    `[RADI|NUCL]` one of the words (M[RADI|NUCL]DWS* = MRADIDWS*, MNUCLDWS*); the packs write
    the seed's MRADI followed by three digits as MRADI*."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and "]" in pattern[i:]:
            end = pattern.index("]", i)
            words = pattern[i + 1 : end].split("|")
            out.append("(?:" + "|".join(re.escape(w) for w in words) + ")")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE)


def host_matches(patterns: list[str], host: str) -> bool:
    """Whether the workstation `host` is one of the group's (case does not matter)."""
    host = (host or "").strip()
    return bool(host) and any(_pattern(p).match(host) for p in patterns)


def step_applies(when: dict | None, at: dt.datetime, zone: ZoneInfo, calendar: Calendar) -> bool:
    """Whether a step with a time condition (a schedule: « pendant l'activité d'IMADIS »)
    applies at `at`; a step without one always applies."""
    if not when:
        return True
    return is_open(Schedule.from_data(when), at, zone, calendar)


def provisional_ipp(year: int, value: int) -> str:
    """The provisional patient id of seed 004 case 1: prefixed with the letter P."""
    return f"P{year}{value:06d}"
