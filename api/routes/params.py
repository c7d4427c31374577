"""Path and query parameters held to the range of what they are looked up in, so a bad id is a 422, not a 500.

A value the database cannot take fails in the driver: an id past the column's integer range raises
OverflowError on SQLite and "integer out of range" on PostgreSQL, and a NUL byte in a text value is refused by
PostgreSQL. Each such parameter is declared once here and refused by validation before any query runs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from core.eligibility.catalog import MEASURE_ID_PATTERN
from core.records.cases import CASE_NO_PATTERN

# `cadres.id` is an INTEGER column: int4 on PostgreSQL, so ids stop at 2^31 − 1 there.
INT32_MAX = 2**31 - 1

# What the household import accepts as a 户编号 (ingest.households.rows), in the width of `households.household_no`.
HOUSEHOLD_NO_PATTERN = r"^[0-9A-Za-z-]{4,32}$"
_HOUSEHOLD_NO = re.compile(HOUSEHOLD_NO_PATTERN)

# Free text compared in SQL: no control characters (PostgreSQL refuses NUL in text).
PLAIN_TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"

CadreId = Annotated[int, Path(ge=1, le=INT32_MAX, description="the cadre account's id")]


def _household_no(value: str) -> str:
    if not _HOUSEHOLD_NO.fullmatch(value):
        raise ValueError("a 户编号 has 4–32 letters, digits or hyphens")
    return value


HouseholdNo = Annotated[
    str,
    Path(max_length=32, description="户编号", json_schema_extra={"pattern": HOUSEHOLD_NO_PATTERN}),
    AfterValidator(_household_no),
]
DocId = Annotated[str, Path(min_length=1, max_length=255, description="the document's id, as listed")]
MeasureId = Annotated[str, Path(min_length=1, max_length=64, pattern=MEASURE_ID_PATTERN)]


def _utc_in_range(value: datetime | None) -> datetime | None:
    """The time in UTC (a naive time is taken as UTC); a time that has no UTC date is refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range") from None


Since = Annotated[
    datetime | None,
    Query(description="only questions after this time (ISO 8601; without a zone: UTC)"),
    AfterValidator(_utc_in_range),
]

CaseId = Annotated[
    str, Path(max_length=24, pattern=CASE_NO_PATTERN, description="the case number, e.g. FY241208-0042")
]
AttachmentId = Annotated[int, Path(ge=1, le=2**62, description="the attachment's id, as the case lists it")]
