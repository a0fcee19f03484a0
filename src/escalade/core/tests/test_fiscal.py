"""The fiscal calendar: every boundary of two fiscal years, a leap year included."""

import datetime as dt

import pytest

from escalade.core.fiscal import check_table, default_periods, fiscal_year_of, parse_code

D = dt.date


@pytest.mark.parametrize("year", [2026, 2027])  # 2027-2028 holds February 29, 2028
def test_thirteen_contiguous_periods_from_april_1_to_march_31(year):
    periods = default_periods(year)
    assert [p.code for p in periods] == [f"{year}-P{n:02d}" for n in range(1, 14)]
    assert periods[0].start == D(year, 4, 1) and periods[-1].end == D(year + 1, 3, 31)
    for a, b in zip(periods, periods[1:], strict=False):
        assert b.start == a.end + dt.timedelta(days=1)
    assert all((p.end - p.start).days + 1 == 28 for p in periods[:12])
    assert check_table(year, periods) == []


def test_every_boundary_of_2026_and_the_leap_year_2027():
    p26 = default_periods(2026)
    assert (p26[0].start, p26[0].end) == (D(2026, 4, 1), D(2026, 4, 28))
    assert (p26[1].start, p26[1].end) == (D(2026, 4, 29), D(2026, 5, 26))
    assert (p26[11].start, p26[11].end) == (D(2027, 2, 3), D(2027, 3, 2))
    assert (p26[12].start, p26[12].end) == (D(2027, 3, 3), D(2027, 3, 31))  # 29 days
    p27 = default_periods(2027)
    assert (p27[12].start, p27[12].end) == (D(2028, 3, 2), D(2028, 3, 31))  # 30 days: Feb 29
    assert (p27[12].end - p27[12].start).days + 1 == 30


def test_the_fiscal_year_of_a_date():
    assert fiscal_year_of(D(2026, 3, 31)) == 2025
    assert fiscal_year_of(D(2026, 4, 1)) == 2026
    assert fiscal_year_of(D(2027, 1, 1)) == 2026


def test_a_bad_table_is_explained():
    periods = default_periods(2026)
    broken = (
        periods[:5]
        + [periods[5].__class__(2026, 6, periods[5].start + dt.timedelta(days=1), periods[5].end)]
        + periods[6:]
    )
    assert any("P06" in p for p in check_table(2026, broken))
    assert parse_code("2026-P05") == (2026, 5)
    with pytest.raises(ValueError):
        parse_code("2026-P14")
