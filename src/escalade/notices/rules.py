"""Notice rules (pure): the earliest start of a planned interruption (seed 002: five
business days' notice), and the recurring maintenance windows (RFC 5545 RRULE in local
wall-clock time, so that 00:00-06:00 stays 00:00-06:00 across a DST change)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from escalade.core.hours import Calendar, add_business_days
from escalade.core.transitions import Transitions

# A notice is published, then resolved or cancelled; a closed notice does not change.
TRANSITIONS = Transitions(
    {
        "update": {"published": "published"},
        "resolve": {"published": "resolved"},
        "cancel": {"published": "cancelled"},
    }
)

DEFAULT_BUSINESS_DAYS = 5


def earliest_planned_start(
    now: dt.datetime, zone: ZoneInfo, calendars: Iterable[Calendar], business_days: int
) -> dt.datetime:
    """The earliest start a planned notice published at `now` may announce: midnight
    (in `zone`) of the day that is `business_days` business days after today, by the
    strictest of the calendars (each affected organisation's holidays)."""
    today = now.astimezone(zone).date()
    days = [add_business_days(today, business_days, cal) for cal in calendars] or [
        add_business_days(today, business_days, Calendar())
    ]
    return dt.datetime.combine(max(days), dt.time(0), tzinfo=zone)


@dataclass(frozen=True)
class Window:
    rrule: str
    first_start: dt.datetime  # naive, local wall-clock time
    duration: dt.timedelta
    zone: ZoneInfo

    def first(self) -> dt.datetime:
        """The aware start of the first occurrence (an iCalendar DTSTART must be one)."""
        naive = next(iter(rrulestr(self.rrule, dtstart=self.first_start)))
        return naive.replace(tzinfo=self.zone)

    def occurrences(self, after: dt.datetime, before: dt.datetime):
        """(start, end) pairs, in UTC, of the occurrences that overlap [after, before)."""
        rule = rrulestr(self.rrule, dtstart=self.first_start)
        lo = after.astimezone(self.zone).replace(tzinfo=None) - self.duration
        hi = before.astimezone(self.zone).replace(tzinfo=None)
        out = []
        for naive in rule.between(lo, hi, inc=True):
            # Wall-clock start and end in the zone, returned in UTC so that arithmetic on
            # them counts real time (5 hours on the night clocks spring forward).
            start = naive.replace(tzinfo=self.zone).astimezone(dt.UTC)
            end = (naive + self.duration).replace(tzinfo=self.zone).astimezone(dt.UTC)
            if end > after and start < before:
                out.append((start, end))
        return out


def window_containing(
    start: dt.datetime, end: dt.datetime | None, windows: Iterable[Window]
) -> tuple[dt.datetime, dt.datetime] | None:
    """The window occurrence that holds the whole of [start, end], if any. An open-ended
    interruption is never inside a window."""
    if end is None:
        return None
    for window in windows:
        for occ_start, occ_end in window.occurrences(start, start + dt.timedelta(seconds=1)):
            if occ_start <= start and end <= occ_end:
                return occ_start, occ_end
    return None


def outage_minutes(
    spans: Iterable[tuple[str, dt.datetime, dt.datetime | None]],
    windows: Iterable[Window],
    since: dt.datetime,
    until: dt.datetime,
) -> int:
    """Minutes of interruption within [since, until): unplanned spans count whole;
    planned spans count except the part inside a maintenance window (seed 002: planned
    work in a window is not an outage). An open span runs to `until`."""
    windows = list(windows)
    total = dt.timedelta()
    for kind, start, end in spans:
        lo = max(start, since).astimezone(dt.UTC)
        hi = min(end or until, until).astimezone(dt.UTC)
        if hi <= lo:
            continue
        span = hi - lo
        if kind == "planned":
            for window in windows:
                for occ_start, occ_end in window.occurrences(lo, hi):
                    overlap = min(hi, occ_end) - max(lo, occ_start)
                    if overlap > dt.timedelta():
                        span -= overlap
        total += max(span, dt.timedelta())
    return int(total.total_seconds() // 60)
