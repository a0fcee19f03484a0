"""The clocks' rules and counted time, directly (no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from escalade.core.hours import Calendar, Schedule, add_counted, counted_seconds
from escalade.oncall import rules

MTL = ZoneInfo("America/Montreal")
OFFICE = Schedule.from_data({"weekly": {"mon-fri": ["08:00-17:00"]}, "holidays": "closed"})
QC = Calendar("CA", "QC")


def test_durations_are_read_as_people_write_them():
    assert [rules.parse_duration(t) for t in ("15m", "4h", "1h30m", "90min")] == [
        900,
        14400,
        5400,
        5400,
    ]
    for bad in ("", "soon", "0m", "4d"):
        with pytest.raises(ValueError):
            rules.parse_duration(bad)


def test_the_first_rule_met_gives_the_targets():
    table = [
        {"code": "major", "if": {"severity": "major"}, "first_response": "15m", "resolution": "4h"},
        {"code": "rest", "resolution": "45h", "counted": "business_hours"},
    ]
    major = rules.targets_for(table, {"severity": "major", "priority": 1})
    assert [(t.target, t.seconds, t.business_hours) for t in major] == [
        ("first_response", 900, False),
        ("resolution", 14400, False),
    ]
    minor = rules.targets_for(table, {"severity": "minor", "priority": 4})
    assert [(t.target, t.rule, t.business_hours) for t in minor] == [("resolution", "rest", True)]
    assert rules.targets_for(table[:1], {"severity": "minor"}) == []


def test_business_time_skips_nights_weekends_and_holidays():
    friday_4pm = dt.datetime(2026, 12, 18, 16, 0, tzinfo=MTL)
    # one hour left on Friday, then Monday 21 December from 08:00
    due = add_counted(OFFICE, friday_4pm, 2 * 3600, MTL, QC)
    assert due == dt.datetime(2026, 12, 21, 9, 0, tzinfo=MTL)
    assert counted_seconds(OFFICE, friday_4pm, due, MTL, QC) == 2 * 3600
    # Christmas (a Friday) and Boxing Day do not count
    dec_24_4pm = dt.datetime(2026, 12, 24, 16, 0, tzinfo=MTL)
    assert add_counted(OFFICE, dec_24_4pm, 2 * 3600, MTL, QC) == dt.datetime(
        2026, 12, 28, 9, 0, tzinfo=MTL
    )


def test_a_clock_counted_around_the_clock_counts_real_seconds_across_dst():
    before = dt.datetime(2026, 11, 1, 0, 30, tzinfo=MTL)  # the night the clocks go back
    after = dt.datetime(2026, 11, 1, 3, 30, tzinfo=MTL)
    assert counted_seconds(None, before, after, MTL, QC) == 4 * 3600
    assert add_counted(None, before, 4 * 3600, MTL, QC) == after


def test_a_clock_moves_by_its_table():
    assert rules.CLOCK.target("pause", "running") == "paused"
    assert rules.CLOCK.target("reopen", "met") == "running"
    assert rules.CLOCK.target("pause", "met") is None


def test_members_take_turns_from_one_hand_over_to_the_next():
    members = tuple(rules.Member(u, u.title()) for u in ("ann", "bob", "cy"))
    weekly = rules.Rotation(members, dt.date(2026, 1, 5), dt.time(8, 0), 7)
    monday_7am = dt.datetime(2026, 1, 12, 7, 0, tzinfo=MTL)  # before the 08:00 hand-over
    assert rules.shift_at(weekly, monday_7am).member.username == "ann"
    shift = rules.shift_at(weekly, monday_7am + dt.timedelta(hours=1))
    assert shift.member.username == "bob"
    assert shift.ends == dt.datetime(2026, 1, 19, 8, 0, tzinfo=MTL)
    assert (
        rules.shift_at(weekly, dt.datetime(2026, 1, 27, 9, 0, tzinfo=MTL)).member.username == "ann"
    )
    assert rules.shift_at(weekly, dt.datetime(2026, 1, 1, 9, 0, tzinfo=MTL)) is None


def test_a_night_stretch_closes_in_the_morning():
    nights = Schedule.from_data(
        {
            "weekly": {"mon-fri": ["00:00-07:00", "17:00-24:00"], "sat-sun": ["00:00-24:00"]},
            "holidays": ["00:00-24:00"],
        }
    )
    from escalade.core.hours import open_until

    friday_8pm = dt.datetime(2026, 12, 4, 20, 0, tzinfo=MTL)
    assert open_until(nights, friday_8pm, MTL, QC) == dt.datetime(2026, 12, 7, 7, 0, tzinfo=MTL)
    tuesday_8pm = dt.datetime(2026, 12, 8, 20, 0, tzinfo=MTL)
    assert open_until(nights, tuesday_8pm, MTL, QC) == dt.datetime(2026, 12, 9, 7, 0, tzinfo=MTL)
    assert open_until(nights, dt.datetime(2026, 12, 8, 12, 0, tzinfo=MTL), MTL, QC) is None
