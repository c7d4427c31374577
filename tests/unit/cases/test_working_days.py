"""Working days (core.cases.calendar): statutory holidays and make-up workdays from chinese-calendar, a fixed
clock in China's time zone, and Monday to Friday (said in a log line) for a year the package does not know."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from core.cases.calendar import WorkingCalendar, fixed_clock, today_in_china


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 国庆 2024: 10月1日–7日 off, Sunday 9月29日 and Saturday 10月12日 worked.
        (date(2024, 9, 30), 2, date(2024, 10, 9)),
        (date(2024, 9, 28), 1, date(2024, 9, 29)),  # the make-up Sunday counts
        (date(2024, 9, 30), 5, date(2024, 10, 12)),  # the make-up Saturday counts
        (date(2024, 10, 11), 1, date(2024, 10, 12)),
        # 春节 2025: 1月28日–2月4日 off, Sunday 1月26日 and Saturday 2月8日 worked.
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 1, 25), 1, date(2025, 1, 26)),
        (date(2025, 2, 7), 1, date(2025, 2, 8)),
        (date(2025, 1, 24), 5, date(2025, 2, 7)),  # 1/26, 1/27, then the holiday, 2/5, 2/6, 2/7
        # An ordinary week: Friday + 1 is Monday.
        (date(2024, 11, 8), 1, date(2024, 11, 11)),
    ],
)
def test_deadlines_skip_statutory_holidays_and_count_make_up_workdays(
    calendar: WorkingCalendar, start: date, days: int, due: date
) -> None:
    assert calendar.add_working_days(start, days) == due
    assert calendar.working_days_between(start, due) == days
    assert calendar.fallback_years() == set()


def test_holidays_and_make_up_days_are_what_the_state_council_published(calendar: WorkingCalendar) -> None:
    assert not calendar.is_workday(date(2024, 10, 1))
    assert calendar.is_workday(date(2024, 10, 12))  # a Saturday
    assert not calendar.is_workday(date(2025, 1, 29))  # 春节
    assert calendar.is_workday(date(2025, 2, 8))  # a Saturday


def test_an_unknown_year_counts_monday_to_friday_and_says_so_once(
    calendar: WorkingCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="core.cases.calendar"):
        assert calendar.add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday → Monday
        assert calendar.add_working_days(date(2031, 1, 6), 5) == date(2031, 1, 13)
    warnings = [r for r in caplog.records if "2031" in r.getMessage()]
    assert len(warnings) == 1 and "Monday to Friday" in warnings[0].getMessage()
    assert calendar.fallback_years() == {2031}


def test_the_fixed_clock_gives_china_s_day(calendar: WorkingCalendar) -> None:
    # 16:30 UTC on 9月30日 is already 10月1日 in China.
    clock = fixed_clock(datetime(2024, 9, 30, 16, 30, tzinfo=UTC))
    assert today_in_china(clock) == date(2024, 10, 1)
    assert calendar.add_working_days(today_in_china(clock), 1) == date(2024, 10, 8)
    with pytest.raises(ValueError):
        fixed_clock(datetime(2024, 9, 30))
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2024, 9, 30), 0)
