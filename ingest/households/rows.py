"""Rows of a county export mapped to checked import rows: each cell parsed on its own (ID checksum, 户类型,
dates, amounts …), every problem collected with its sheet, row and column, nothing written."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from core.errors import ImportRejected, InvalidInput
from core.records import households as h
from core.records.pii import mask_id_number, normalize_id_number, normalize_phone
from ingest.households.sheets import IGNORED_SHEETS, Sheet, Table, norm_header, sheet_for, tables

logger = logging.getLogger(__name__)
T = TypeVar("T")

_HOUSEHOLD_NO = re.compile(r"^[0-9A-Za-z-]{4,32}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


# -- parsing cells --------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def parse_date(value: Any) -> date:
    """A date cell: an Excel date, or text like 2024-03-15, 2024/3/15, 20240315, 2024年3月15日."""
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    else:
        text = _text(value)
        try:
            d = date.fromisoformat(text)  # the usual form, and much faster than strptime
        except ValueError:
            d = _strptime_date(text)
    if not date(2000, 1, 1) <= d <= date(date.today().year + 1, 12, 31):
        raise InvalidInput("the date is out of range")
    return d


def _strptime_date(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidInput("not a date; write it as 2024-03-15")


def _int(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        text = _text(value).removesuffix("年").removesuffix("岁").removesuffix("人")
        try:
            number = int(text)
        except ValueError:
            raise InvalidInput("not a whole number") from None
        if not lo <= number <= hi:
            raise InvalidInput(f"must be between {lo} and {hi}")
        return number

    return parse


def _short(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if len(text) > limit:
            raise InvalidInput(f"longer than {limit} characters")
        return text

    return parse


def _text_of(parse: Callable[[str], T]) -> Callable[[Any], T]:
    return lambda value: parse(_text(value))


def _household_no(value: Any) -> str:
    text = _text(value)
    if not _HOUSEHOLD_NO.match(text):
        raise InvalidInput("a 户编号 has 4–32 letters, digits or hyphens")
    return text


def _id_number(value: Any) -> str:
    if isinstance(value, int | float):
        raise InvalidInput("stored as a number, so Excel dropped digits; format the column as text")
    text = _text(value)
    try:
        return normalize_id_number(text)
    except InvalidInput as exc:
        shown = f" [{mask_id_number(text.upper())}]" if len(text) == 18 else ""
        raise InvalidInput(exc.detail + shown) from None


def _helper_phone(value: Any) -> str:
    text = _text(value).replace(" ", "")
    if _LANDLINE.match(text):
        return text
    return normalize_phone(text)


def _measure_id(known: set[str] | None) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        measure_id = h.parse_measure_id(_text(value))
        if known is not None and measure_id not in known:
            raise InvalidInput(f"{measure_id!r} is not in the measure catalog")
        return measure_id

    return parse


_EMPTY = object()
_NAME, _TEXT20, _TEXT200 = _short(50), _short(20), _short(200)
_SIZE, _AGE, _YEAR = _int(1, 30), _int(0, 130), _int(2000, 2100)
_PHONE = _text_of(normalize_phone)
_HOUSEHOLD_TYPE = _text_of(h.parse_household_type)
_MONITORING_TYPE = _text_of(h.parse_monitoring_type)
_RISK_LEVEL = _text_of(h.parse_risk_level)
_LABOR = _text_of(h.parse_labor_capacity)
_SCHOOLING = _text_of(h.parse_schooling)
_AMOUNT = _text_of(h.parse_amount)


class _Row:
    """One data row: each field parsed on its own, every problem of the row collected."""

    def __init__(self, sheet: Sheet, where: str, cells: dict[str, Any], problems: list[str]) -> None:
        self.sheet, self.where, self.cells, self.problems = sheet, where, cells, problems
        self.ok = True

    def get(self, key: str, parse: Callable[[Any], Any], default: Any = None) -> Any:
        col = self.sheet.column(key)
        value = self.cells.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if col.required:
                self.fail(col.header, "empty")
            return default
        try:
            return parse(value)
        except InvalidInput as exc:
            self.fail(col.header, exc.detail)
            return _EMPTY

    def fail(self, column: str, message: str) -> None:
        self.problems.append(f"{self.where}, {column}: {message}")
        self.ok = False


def _rows(sheet: Sheet, table: Table, problems: list[str]) -> Iterator[_Row]:
    """The non-empty data rows of a table, or none when a required column is missing."""
    headers = [norm_header(x) for x in table.headers]
    index: dict[str, int] = {}
    for col in sheet.columns:
        at = next((i for i, x in enumerate(headers) if x in col.names()), None)
        if at is not None:
            index[col.key] = at
        elif col.required:
            problems.append(f"{table.name}: missing column {col.header}")
    if any(c.required and c.key not in index for c in sheet.columns):
        return
    for number, values in table.rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
        yield _Row(sheet, f"{table.name} row {number}", cells, problems)


def _read_households(rows: Iterator[_Row], batch: h.HouseholdBatch, today: date) -> None:
    for r in rows:
        values = {
            "household_no": r.get("household_no", _household_no),
            "township": r.get("township", _NAME),
            "village": r.get("village", _NAME),
            "group_name": r.get("group_name", _NAME),
            "head_name": r.get("head_name", _NAME),
            "phone": r.get("phone", _PHONE),
            "household_type": r.get("household_type", _HOUSEHOLD_TYPE),
            "monitoring_type": r.get("monitoring_type", _MONITORING_TYPE),
            "risk_level": r.get("risk_level", _RISK_LEVEL),
            "size": r.get("size", _SIZE),
            "helper_name": r.get("helper_name", _NAME),
            "helper_phone": r.get("helper_phone", _helper_phone),
            "data_as_of": r.get("data_as_of", parse_date, default=today),
        }
        if values["household_type"] == "监测户" and values["monitoring_type"] is None:
            r.fail(r.sheet.column("monitoring_type").header, "a 监测户 needs its 监测对象类别")
        if r.ok:
            batch.households.append(h.HouseholdRow(where=r.where, **values))


def _read_members(rows: Iterator[_Row], batch: h.HouseholdBatch) -> None:
    for r in rows:
        values = {
            "household_no": r.get("household_no", _household_no),
            "name": r.get("name", _NAME),
            "id_number": r.get("id_number", _id_number),
            "relation": r.get("relation", _TEXT20),
            "age": r.get("age", _AGE),
            "labor_capacity": r.get("labor_capacity", _LABOR),
            "health": r.get("health", _NAME),
            "schooling": r.get("schooling", _SCHOOLING),
        }
        if r.ok:
            batch.members.append(h.MemberRow(where=r.where, **values))


def _read_measures(rows: Iterator[_Row], batch: h.HouseholdBatch, known: set[str] | None) -> None:
    measure_id = _measure_id(known)
    for r in rows:
        values = {
            "household_no": r.get("household_no", _household_no),
            "measure_id": r.get("measure_id", measure_id),
            "year": r.get("year", _YEAR),
            "content": r.get("content", _TEXT200),
            "status": r.get("status", _TEXT20, default="已落实"),
        }
        if r.ok:
            batch.measures.append(h.MeasureRow(where=r.where, **values))


def _read_payments(rows: Iterator[_Row], batch: h.HouseholdBatch, known: set[str] | None) -> None:
    measure_id = _measure_id(known)
    for r in rows:
        values = {
            "household_no": r.get("household_no", _household_no),
            "item": r.get("item", _NAME),
            "amount": r.get("amount", _AMOUNT),
            "paid_on": r.get("paid_on", parse_date),
            "channel": r.get("channel", _TEXT20, default="一卡通"),
            "measure_id": r.get("measure_id", measure_id),
        }
        if r.ok:
            batch.payments.append(h.PaymentRow(where=r.where, **values))


def read_batch(
    path: Path, *, known_measures: set[str] | None = None, today: date | None = None
) -> h.HouseholdBatch:
    """Read and check a whole export; ImportRejected with every problem found, row by row."""
    today = today or date.today()
    batch = h.HouseholdBatch()
    problems: list[str] = []
    for table in tables(path):
        sheet = sheet_for(table)
        if sheet is None:
            if table.from_csv:
                problems.append(f"{table.name}: not a households, members, measures or payments table")
            elif norm_header(table.name) not in IGNORED_SHEETS:
                logger.info("skipped sheet %s: not a household records sheet", table.name)
            continue
        batch.kinds.add(sheet.kind)
        rows = _rows(sheet, table, problems)
        if sheet.kind == "households":
            _read_households(rows, batch, today)
        elif sheet.kind == "members":
            _read_members(rows, batch)
        elif sheet.kind == "measures":
            _read_measures(rows, batch, known_measures)
        else:
            _read_payments(rows, batch, known_measures)
    if not batch.kinds and not problems:
        problems.append(f"{path.name}: no households, members, measures or payments sheet found")
    problems.extend(h.duplicate_problems(batch))
    if problems:
        raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported", problems)
    return batch
