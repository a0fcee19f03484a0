"""The notice rules, pure: five business days ahead across a holiday and a weekend; the
Sunday window across both DST changes; outage minutes without planned window work."""

import datetime as dt
from zoneinfo import ZoneInfo

from escalade.core.hours import Calendar
from escalade.notices import rules

TORONTO = ZoneInfo("America/Toronto")
ONTARIO = Calendar("CA", "ON")
SUNDAY = rules.Window(
    "FREQ=WEEKLY;BYDAY=SU",
    dt.datetime(2020, 1, 1),  # noqa: DTZ001 - local wall-clock time
    dt.timedelta(hours=6),
    TORONTO,
)


def at(*args):
    return dt.datetime(*args, tzinfo=TORONTO)


def test_five_business_days_skip_the_weekend_and_a_holiday():
    # Wednesday 2026-12-23: Thu 24, (Christmas Fri 25, weekend, Boxing Day Mon 28 is
    # observed in Ontario), Tue 29, Wed 30, Thu 31, (New Year Fri 1), Mon 4 January.
    earliest = rules.earliest_planned_start(at(2026, 12, 23, 15, 0), TORONTO, [ONTARIO], 5)
    assert earliest == at(2027, 1, 4, 0, 0)
    # An ordinary week: Monday -> the Monday after.
    assert rules.earliest_planned_start(at(2026, 11, 23, 9), TORONTO, [ONTARIO], 5) == at(
        2026, 11, 30
    )


def test_the_strictest_calendar_of_the_organisations_wins():
    # Saint-Jean-Baptiste (24 June) is a holiday in Quebec, not in Ontario.
    quebec = Calendar("CA", "QC")
    monday = at(2027, 6, 21, 10)
    assert rules.earliest_planned_start(monday, TORONTO, [ONTARIO], 5) == at(2027, 6, 28)
    assert rules.earliest_planned_start(monday, TORONTO, [ONTARIO, quebec], 5) == at(2027, 6, 29)


def test_the_sunday_window_keeps_its_wall_clock_hours_across_dst():
    # 2027-03-14: clocks spring forward at 02:00; 2027-11-07: they fall back at 02:00.
    spring = SUNDAY.occurrences(at(2027, 3, 13), at(2027, 3, 15))
    assert spring == [(at(2027, 3, 14, 0), at(2027, 3, 14, 6))]
    assert spring[0][1] - spring[0][0] == dt.timedelta(hours=5)  # one hour is skipped
    assert spring[0][0].astimezone(TORONTO).utcoffset() == dt.timedelta(hours=-5)
    assert spring[0][1].astimezone(TORONTO).utcoffset() == dt.timedelta(hours=-4)
    autumn = SUNDAY.occurrences(at(2027, 11, 6), at(2027, 11, 8))
    assert [(s.astimezone(TORONTO).hour, e.astimezone(TORONTO).hour) for s, e in autumn] == [(0, 6)]
    assert autumn[0][1] - autumn[0][0] == dt.timedelta(hours=7)  # one hour is lived twice
    weeks = SUNDAY.occurrences(at(2027, 3, 1), at(2027, 4, 1))
    assert [s.astimezone(TORONTO).day for s, _e in weeks] == [7, 14, 21, 28]


def test_work_inside_or_outside_a_window():
    assert rules.window_containing(at(2027, 3, 14, 1), at(2027, 3, 14, 5), [SUNDAY])
    assert rules.window_containing(at(2027, 3, 14, 5), at(2027, 3, 14, 7), [SUNDAY]) is None
    assert rules.window_containing(at(2027, 3, 15, 1), at(2027, 3, 15, 2), [SUNDAY]) is None
    assert rules.window_containing(at(2027, 3, 14, 1), None, [SUNDAY]) is None


def test_planned_work_inside_a_window_is_not_an_outage():
    since, until = at(2027, 3, 1), at(2027, 4, 1)
    spans = [
        ("planned", at(2027, 3, 7, 1), at(2027, 3, 7, 5)),  # inside: 0
        ("planned", at(2027, 3, 21, 5), at(2027, 3, 21, 8)),  # 1 h inside, 2 h outside
        ("unplanned", at(2027, 3, 10, 9), at(2027, 3, 10, 10, 30)),  # 90 min
        ("unplanned", at(2027, 3, 31, 23), None),  # open: runs to `until`, 60 min
    ]
    assert rules.outage_minutes(spans, [SUNDAY], since, until) == 120 + 90 + 60
