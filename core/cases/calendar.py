"""Working days in mainland China and the clock cases are timed by (China Standard Time).

Statutory holidays and make-up workdays (调休) come from the maintained `chinese-calendar` package, which knows
the years the State Council has published. For a year it does not know yet, a working day is Monday to Friday;
that is logged once per year, so an operator knows to upgrade the package::

    calendar = WorkingCalendar()
    calendar.is_workday(date(2024, 10, 12))                   # True: a Saturday worked for 国庆
    calendar.add_working_days(date(2024, 9, 30), 2)          # date(2024, 10, 9)
    today_in_china(fixed_clock(datetime(2024, 9, 30, 23, 0, tzinfo=UTC)))   # date(2024, 10, 1)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")
MAX_WORKING_DAYS = 60  # no step of the procedure is longer; guards a loop over a misconfigured value

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always says `at` (tests, replays)."""
    if at.tzinfo is None:
        raise ValueError("a fixed clock needs a timezone-aware time")
    return lambda: at


def today_in_china(clock: Clock = system_clock) -> date:
    """The calendar day in China at the clock's now."""
    return clock().astimezone(CHINA).date()


class WorkingCalendar:
    """Whether a day is a working day, and the date n working days after another."""

    def __init__(self) -> None:
        self._fallback_years: set[int] = set()
        self._lock = threading.Lock()

    def is_workday(self, day: date) -> bool:
        """A working day by the published calendar; Monday to Friday in a year it does not know."""
        import chinese_calendar

        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            with self._lock:
                if day.year not in self._fallback_years:
                    self._fallback_years.add(day.year)
                    logger.warning(
                        "chinese-calendar has no holidays for %d: counting Monday to Friday as working days "
                        "(upgrade the chinese-calendar package when the State Council publishes %d's holidays)",
                        day.year,
                        day.year,
                    )
            return day.weekday() < 5

    def fallback_years(self) -> set[int]:
        """The years counted Monday to Friday so far (the package did not know them)."""
        with self._lock:
            return set(self._fallback_years)

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (not counting `start`): the last day a step may take."""
        if not 0 < days <= MAX_WORKING_DAYS:
            raise ValueError(f"a step takes 1–{MAX_WORKING_DAYS} working days")
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count
