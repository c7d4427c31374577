"""Days on the command line: today, yesterday, 今天, 昨天 and YYYY-MM-DD; anything else a plain argparse error."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

import pytest

from api.dates import cli_day

TODAY = date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", TODAY),
        ("Today", TODAY),
        ("今天", TODAY),
        ("yesterday", date(2024, 2, 29)),
        (" YESTERDAY ", date(2024, 2, 29)),
        ("昨天", date(2024, 2, 29)),
        ("2023-12-31", date(2023, 12, 31)),
    ],
)
def test_the_usual_forms_name_a_day(text: str, day: date) -> None:
    assert cli_day(text, today=TODAY) == day


def test_today_is_the_utc_day_by_default() -> None:
    assert cli_day("today") in {datetime.now(UTC).date(), datetime.now(UTC).date() - timedelta(days=1)}


@pytest.mark.parametrize(
    "text", ["tomorrow-ish", "2024/03/01", "20240301", "2024-3-1", "2024-02-30", "", "前天"]
)
def test_anything_else_is_an_argparse_error_that_says_what_to_give(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        cli_day(text, today=TODAY)
    assert repr(text) in str(raised.value)
    if text != "2024-02-30":
        assert "today, yesterday or YYYY-MM-DD" in str(raised.value)
