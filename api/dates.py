"""Days on the command line: `today`, `yesterday` (今天, 昨天) or YYYY-MM-DD, counted in UTC like the audit log."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime, timedelta

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RELATIVE = {"today": 0, "今天": 0, "yesterday": 1, "昨天": 1}


def cli_day(text: str, *, today: date | None = None) -> date:
    """An argparse `type=`: the day `text` names, or an ArgumentTypeError that says what is accepted."""
    value = text.strip()
    days_back = _RELATIVE.get(value.lower())
    if days_back is not None:
        return (today or datetime.now(UTC).date()) - timedelta(days=days_back)
    if _ISO_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a day of the calendar") from None
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a day: give today, yesterday or YYYY-MM-DD, e.g. 2024-05-01"
    )
