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


# How an IPP is written when the pack says nothing: digits, 6 to 10 of them.
DEFAULT_IPP_PATTERN = r"[0-9]{6,10}"
PROVISIONAL_IPP = re.compile(r"P[0-9]{4,16}")


def ipp_kind(text: str, pattern: str | None = None) -> str | None:
    """'provisional' (P followed by digits, seed 004 case 1), 'known' (the pack's pattern,
    `ipp_pattern` in the institution's settings), or None: not a patient id at all (an
    exam name typed in the wrong field)."""
    text = (text or "").strip().upper()
    if PROVISIONAL_IPP.fullmatch(text):
        return "provisional"
    if re.fullmatch(pattern or DEFAULT_IPP_PATTERN, text):
        return "known"
    return None


# The order people of a country type a date in: day first in France, the ISO order in
# Quebec and Ontario (the date format of Canadian health records).
DATE_ORDERS = {"FR": "dmy", "BE": "dmy", "CH": "dmy"}


def date_order(region: str, setting: str | None = None) -> str:
    """'dmy' or 'ymd': the setting `date_order` of the institution, else its country's."""
    if setting in ("dmy", "ymd"):
        return setting
    return DATE_ORDERS.get((region or "").upper(), "ymd")


def parse_typed_date(text: str, order: str) -> dt.date | None:
    """A date typed on the keyboard in one unambiguous order: 12/03/1957, 12-03-1957,
    12.03.1957 or 12031957 for 'dmy'; 1957-03-12 or 19570312 for 'ymd'. None when it is
    not a date in that order (never guessed from the browser's locale)."""
    digits = re.findall(r"[0-9]+", text or "")
    if len(digits) == 1 and len(digits[0]) == 8:
        raw = digits[0]
        digits = [raw[:2], raw[2:4], raw[4:]] if order == "dmy" else [raw[:4], raw[4:6], raw[6:]]
    if len(digits) != 3:
        return None
    if order == "dmy":
        day, month, year = digits
    else:
        year, month, day = digits
    if len(year) != 4:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
