"""Business hours and business days: is a channel open at an instant, when does it next
open, N business days after or before a date.

Pure functions over pack data (no web, no database). A schedule is a weekly set of
local-time intervals plus what happens on public holidays and the institution's own
closure days (closed, or other intervals: e.g. on-call 24/7). Public holidays come
from the `holidays` package for the pack's country and subdivision."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_RANGES = {"mon-fri": DAYS[:5], "sat-sun": DAYS[5:], "mon-sun": DAYS, "weekend": DAYS[5:]}

Interval = tuple[dt.time, dt.time | None]  # end None = midnight at the end of the day


_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$")


def parse_duration(text: str) -> int:
    """'15m' -> 900, '4h' -> 14400, '1h30m' -> 5400, '30s' -> 30 (seconds); ValueError
    otherwise."""
    match = _DURATION.match(str(text))
    if not match or not any(match.groups()):
        raise ValueError(f"'{text}' is not a duration (15m, 4h, 1h30m, 30s)")
    hours, minutes, secs = (int(g or 0) for g in match.groups())
    seconds = hours * 3600 + minutes * 60 + secs
    if seconds <= 0:
        raise ValueError(f"'{text}': a duration must be longer than zero")
    return seconds


def parse_interval(text: str) -> Interval:
    """'07:00-17:00' -> (07:00, 17:00); '17:00-24:00' -> (17:00, None)."""
    start, _, end = text.partition("-")
    s = dt.time.fromisoformat(start.strip())
    e_text = end.strip()
    e = None if e_text in ("24:00", "24:00:00") else dt.time.fromisoformat(e_text)
    if e is not None and e <= s:
        raise ValueError(f"'{text}': the end must come after the start (split a night in two)")
    return s, e


def parse_days(text: str) -> list[str]:
    """'mon-fri' -> ['mon', ..., 'fri']; 'sat' -> ['sat']; 'mon,wed' -> ['mon', 'wed']."""
    out: list[str] = []
    for part in text.split(","):
        part = part.strip().lower()
        if part in _RANGES:
            out.extend(_RANGES[part])
        elif part in DAYS:
            out.append(part)
        elif "-" in part:
            a, b = part.split("-", 1)
            out.extend(DAYS[DAYS.index(a) : DAYS.index(b) + 1])
        else:
            raise ValueError(f"unknown day '{part}' (mon..sun, mon-fri, sat-sun)")
    return out


@dataclass(frozen=True)
class Schedule:
    """Weekly intervals per weekday (0 = Monday); `on_holidays` None means closed."""

    weekly: dict[int, tuple[Interval, ...]]
    on_holidays: tuple[Interval, ...] | None = None

    @classmethod
    def from_data(cls, data: dict | None) -> Schedule | None:
        """{'weekly': {'mon-fri': ['07:00-17:00']}, 'holidays': 'closed' | [intervals]}."""
        if not data:
            return None
        weekly: dict[int, list[Interval]] = {}
        for days, intervals in (data.get("weekly") or {}).items():
            for day in parse_days(days):
                weekly.setdefault(DAYS.index(day), []).extend(parse_interval(i) for i in intervals)
        hol = data.get("holidays", "closed")
        on_holidays = None if hol in (None, "closed") else tuple(parse_interval(i) for i in hol)
        return cls({d: tuple(sorted(v)) for d, v in weekly.items()}, on_holidays)


@dataclass(frozen=True)
class Calendar:
    """An institution's days off: public holidays of its country/subdivision, plus its
    own closure days."""

    country: str = "CA"
    subdivision: str = "QC"
    closures: frozenset[dt.date] = field(default_factory=frozenset)

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.closures or day in _public_holidays(
            self.country, self.subdivision, day.year
        )

    def holiday_name(self, day: dt.date, language: str = "fr") -> str | None:
        if day in self.closures:
            return None
        return _public_holidays(self.country, self.subdivision, day.year, language).get(day)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str, year: int, language: str = "fr"):
    try:
        return holidays_lib.country_holidays(
            country, subdiv=subdivision or None, years=year, language=language
        )
    except NotImplementedError:  # a language the package lacks for this country
        return holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year)


def intervals_on(
    schedule: Schedule, day: dt.date, zone: ZoneInfo, calendar: Calendar
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The opening intervals of `day` as aware datetimes in `zone`."""
    spans = schedule.on_holidays if calendar.is_holiday(day) else schedule.weekly.get(day.weekday())
    out = []
    for start, end in spans or ():
        begin = dt.datetime.combine(day, start, tzinfo=zone)
        finish = (
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
            if end is None
            else dt.datetime.combine(day, end, tzinfo=zone)
        )
        out.append((begin, finish))
    return out


def is_open(schedule: Schedule | None, at: dt.datetime, zone: ZoneInfo, calendar: Calendar) -> bool:
    """Whether the schedule is open at the aware instant `at`. No schedule: always open."""
    if schedule is None:
        return True
    local = at.astimezone(zone)
    # An interval ending at midnight belongs to the day before: look at both days.
    for day in (local.date(), local.date() - dt.timedelta(days=1)):
        for begin, finish in intervals_on(schedule, day, zone, calendar):
            if begin <= local < finish:
                return True
    return False


def next_open(
    schedule: Schedule | None,
    at: dt.datetime,
    zone: ZoneInfo,
    calendar: Calendar,
    horizon_days: int = 400,
) -> dt.datetime | None:
    """When the schedule next opens after `at` (None if open now or never within the horizon)."""
    if schedule is None or is_open(schedule, at, zone, calendar):
        return None
    local = at.astimezone(zone)
    day = local.date()
    for _ in range(horizon_days):
        for begin, _finish in intervals_on(schedule, day, zone, calendar):
            if begin > local:
                return begin
        day += dt.timedelta(days=1)
    return None


def add_business_days(day: dt.date, n: int, calendar: Calendar) -> dt.date:
    """The date `n` business days after `day` (before it when n < 0); weekends, public
    holidays and closure days do not count."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += dt.timedelta(days=step)
        if calendar.is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, calendar: Calendar) -> int:
    """Business days after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -business_days_between(end, start, calendar)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += calendar.is_business_day(day)
    return count


def _utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC)


def counted_seconds(
    schedule: Schedule | None,
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
    calendar: Calendar,
) -> float:
    """The seconds of [start, end) the schedule is open (a response clock counting
    business hours); no schedule: every second counts. Real seconds, across DST too."""
    if end <= start:
        return 0.0
    if schedule is None:
        return (_utc(end) - _utc(start)).total_seconds()
    total, day = 0.0, start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        for begin, finish in intervals_on(schedule, day, zone, calendar):
            lo, hi = max(_utc(begin), _utc(start)), min(_utc(finish), _utc(end))
            if lo < hi:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total


def add_counted(
    schedule: Schedule | None,
    start: dt.datetime,
    seconds: float,
    zone: ZoneInfo,
    calendar: Calendar,
    horizon_days: int = 400,
) -> dt.datetime | None:
    """The instant when `seconds` of open time have passed after `start` (a clock's due
    time); None when the schedule does not open that much within the horizon."""
    if schedule is None:
        return _utc(start) + dt.timedelta(seconds=seconds)
    remaining = max(seconds, 0.0)
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    for _ in range(horizon_days):
        for begin, finish in intervals_on(schedule, day, zone, calendar):
            lo, hi = max(_utc(begin), _utc(start)), _utc(finish)
            if lo >= hi:
                continue
            span = (hi - lo).total_seconds()
            if span >= remaining:
                return lo + dt.timedelta(seconds=remaining)
            remaining -= span
        day += dt.timedelta(days=1)
    return None


def open_until(
    schedule: Schedule | None,
    at: dt.datetime,
    zone: ZoneInfo,
    calendar: Calendar,
    horizon_days: int = 14,
) -> dt.datetime | None:
    """When the schedule, open at `at`, closes next (intervals that follow each other,
    such as 17:00-24:00 then 00:00-08:00, are one stretch); None when it is closed at
    `at`, or does not close within the horizon (always open)."""
    if schedule is None or not is_open(schedule, at, zone, calendar):
        return None
    end = _utc(at)
    day = at.astimezone(zone).date() - dt.timedelta(days=1)
    for _ in range(horizon_days + 2):
        extended = True
        while extended:
            extended = False
            for begin, finish in intervals_on(schedule, day, zone, calendar):
                if _utc(begin) <= end < _utc(finish):
                    end, extended = _utc(finish), True
        day += dt.timedelta(days=1)
        if end < _utc(dt.datetime.combine(day, dt.time(0), tzinfo=zone)):
            return end
    return None
