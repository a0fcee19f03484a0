"""Business-time arithmetic: opening hours, on-call, holidays, DST, business days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalade.core.hours import (
    Calendar,
    Schedule,
    add_business_days,
    business_days_between,
    is_open,
    next_open,
    parse_interval,
)

MTL = ZoneInfo("America/Montreal")
QC = Calendar("CA", "QC")
OFFICE = Schedule.from_data({"weekly": {"mon-fri": ["07:00-17:00"]}, "holidays": "closed"})
ON_CALL = Schedule.from_data(
    {
        "weekly": {"mon-fri": ["00:00-07:00", "17:00-24:00"], "sat-sun": ["00:00-24:00"]},
        "holidays": ["00:00-24:00"],
    }
)


def at(*args):
    return dt.datetime(*args, tzinfo=MTL)


def test_the_office_opens_at_07_00_exactly_and_closes_at_17_00_exactly():
    assert not is_open(OFFICE, at(2026, 11, 23, 6, 59, 59), MTL, QC)
    assert is_open(OFFICE, at(2026, 11, 23, 7, 0), MTL, QC)
    assert is_open(OFFICE, at(2026, 11, 23, 16, 59, 59), MTL, QC)
    assert not is_open(OFFICE, at(2026, 11, 23, 17, 0), MTL, QC)


def test_on_call_takes_over_exactly_when_the_office_closes():
    for instant in (at(2026, 11, 23, 17, 0), at(2026, 11, 24, 3, 0), at(2026, 11, 28, 12, 0)):
        assert is_open(ON_CALL, instant, MTL, QC) and not is_open(OFFICE, instant, MTL, QC)
    assert not is_open(ON_CALL, at(2026, 11, 23, 12, 0), MTL, QC)


def test_a_monday_holiday_closes_the_office_and_opens_on_call_all_day():
    labour_day = at(2026, 9, 7, 10, 0)  # Fête du travail, a Monday
    assert not is_open(OFFICE, labour_day, MTL, QC)
    assert is_open(ON_CALL, labour_day, MTL, QC)
    assert next_open(OFFICE, labour_day, MTL, QC) == at(2026, 9, 8, 7, 0)


def test_the_night_after_a_holiday_is_on_call_until_07_00():
    assert is_open(ON_CALL, at(2026, 9, 8, 6, 59), MTL, QC)
    assert not is_open(ON_CALL, at(2026, 9, 8, 7, 0), MTL, QC)
    assert is_open(OFFICE, at(2026, 9, 8, 7, 0), MTL, QC)


def test_a_weekend_waits_for_monday_and_new_year_for_the_next_business_day():
    saturday = at(2026, 11, 28, 10, 0)
    assert next_open(OFFICE, saturday, MTL, QC) == at(2026, 11, 30, 7, 0)
    new_year_eve_evening = at(2026, 12, 31, 18, 0)
    assert next_open(OFFICE, new_year_eve_evening, MTL, QC) == at(
        2027, 1, 4, 7, 0
    )  # Jan 1 is a Friday


def test_open_now_has_no_next_opening():
    assert next_open(OFFICE, at(2026, 11, 23, 9, 0), MTL, QC) is None


def test_hours_hold_across_daylight_saving_changes():
    # 2026-03-08: clocks go forward at 02:00; 2026-11-01: back at 02:00 (both Sundays).
    monday_after_spring = at(2026, 3, 9, 7, 0)
    assert is_open(OFFICE, monday_after_spring, MTL, QC)
    assert monday_after_spring.astimezone(dt.UTC).hour == 11  # EDT, UTC-4
    monday_after_fall = at(2026, 11, 2, 7, 0)
    assert monday_after_fall.astimezone(dt.UTC).hour == 12  # EST, UTC-5
    assert next_open(OFFICE, at(2026, 10, 31, 12, 0), MTL, QC) == monday_after_fall
    # Instants given in UTC are read in the institution's zone.
    assert is_open(OFFICE, dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC), MTL, QC)
    assert not is_open(OFFICE, dt.datetime(2026, 11, 2, 11, 59, tzinfo=dt.UTC), MTL, QC)


def test_institution_closure_days_count_like_holidays():
    closed = Calendar("CA", "QC", frozenset({dt.date(2026, 12, 24)}))
    assert not is_open(OFFICE, at(2026, 12, 24, 10, 0), MTL, closed)
    assert is_open(OFFICE, at(2026, 12, 24, 10, 0), MTL, QC)


def test_business_days_skip_weekends_and_holidays():
    # 5 business days after Wednesday 2026-12-23: 24, 28, 29, 30, 31 (25 is Christmas)
    assert add_business_days(dt.date(2026, 12, 23), 5, QC) == dt.date(2026, 12, 31)
    assert add_business_days(dt.date(2026, 12, 31), 1, QC) == dt.date(2027, 1, 4)
    assert add_business_days(dt.date(2026, 9, 8), -1, QC) == dt.date(2026, 9, 4)  # over Labour Day
    assert business_days_between(dt.date(2026, 12, 23), dt.date(2026, 12, 31), QC) == 5


def test_other_subdivisions_have_their_own_holidays():
    on = Calendar("CA", "ON")
    jean_baptiste = dt.date(2026, 6, 24)
    assert QC.is_holiday(jean_baptiste) and not on.is_holiday(jean_baptiste)
    assert Calendar("FR", "").is_holiday(dt.date(2026, 7, 14))


def test_bad_intervals_are_refused():
    with pytest.raises(ValueError):
        parse_interval("17:00-07:00")
    assert parse_interval("17:00-24:00")[1] is None


@given(
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)), st.integers(-30, 30)
)
def test_adding_then_removing_business_days_comes_back(day, n):
    if not QC.is_business_day(day):
        return
    assert add_business_days(add_business_days(day, n, QC), -n, QC) == day
