"""`python -m ingest households FILE`: import a county's household records from XLSX or CSV.

An XLSX workbook holds one sheet per kind of record (户信息, 家庭成员, 帮扶措施, 资金发放); CSV exports come as
one file per kind, or a folder of them. Sheets and files are recognised by name or by their column headers;
the headers are the Chinese ones county exports use (see `SHEETS` and examples/README.md). CSV may be UTF-8
(with or without BOM), GBK or GB18030.

Every row is checked (18-digit ID checksum, known 户类型, dates, amounts, duplicate keys, references to
households); a file with any problem is rejected whole with a row-by-row report, and nothing is written.
A clean file is upserted by 户编号 in one transaction::

    batch = read_batch(Path("examples/households.xlsx"), known_measures={"microcredit", ...})
    services.households.import_batch(batch)
"""

from __future__ import annotations

import csv
import io
import logging
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from core.errors import BangfuError, ImportRejected, InvalidInput
from core.records import households as h
from core.records.pii import mask_id_number, normalize_id_number, normalize_phone
from core.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_REPORTED = 200
_HOUSEHOLD_NO = re.compile(r"^[0-9A-Za-z-]{4,32}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_HEADER_NOISE = re.compile(r"[\s*＊:：]")


@dataclass(frozen=True)
class Column:
    """A column of an export: the field it fills, its usual header, other headers seen for it."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> set[str]:
        return {_norm_header(n) for n in (self.header, *self.aliases)}


@dataclass(frozen=True)
class Sheet:
    kind: str
    names: tuple[str, ...]
    columns: tuple[Column, ...]

    @cached_property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    def column(self, key: str) -> Column:
        return self.by_key[key]


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "households",
        ("户信息", "农户信息", "户基本信息", "households"),
        (
            Column("household_no", "户编号", ("户码", "户ID"), required=True),
            Column("township", "乡镇", ("乡（镇）", "乡(镇)", "镇"), required=True),
            Column("village", "行政村", ("村", "村名"), required=True),
            Column("group_name", "组", ("村民小组", "自然村（组）", "自然村(组)")),
            Column("head_name", "户主姓名", ("户主",), required=True),
            Column("phone", "联系电话", ("户主联系电话", "手机号码", "手机号")),
            Column("household_type", "户类型", ("户类别", "农户类型"), required=True),
            Column("monitoring_type", "监测对象类别", ("监测对象类型", "监测类型")),
            Column("risk_level", "风险等级", ("风险颜色", "风险类别")),
            Column("size", "家庭人口", ("家庭人口数", "人口数", "家庭人数"), required=True),
            Column("helper_name", "帮扶责任人", ("帮扶人", "帮扶干部")),
            Column("helper_phone", "帮扶责任人电话", ("帮扶人电话", "帮扶责任人联系电话")),
            Column("data_as_of", "数据截止日期", ("数据日期", "截止日期", "采集日期")),
        ),
    ),
    Sheet(
        "members",
        ("家庭成员", "成员信息", "家庭成员信息", "members"),
        (
            Column("household_no", "户编号", ("户码", "户ID"), required=True),
            Column("name", "姓名", ("成员姓名",), required=True),
            Column("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码"), required=True),
            Column("relation", "与户主关系", ("与户主的关系", "关系"), required=True),
            Column("age", "年龄"),
            Column("labor_capacity", "劳动技能", ("劳动能力",)),
            Column("health", "健康状况", ("健康",)),
            Column("schooling", "在校生状况", ("在校情况", "在读学段")),
        ),
    ),
    Sheet(
        "measures",
        ("帮扶措施", "措施落实", "帮扶措施落实", "measures"),
        (
            Column("household_no", "户编号", ("户码", "户ID"), required=True),
            Column("measure_id", "措施编号", ("措施ID", "措施代码"), required=True),
            Column("year", "年度", ("年份",), required=True),
            Column("content", "帮扶内容", ("措施内容", "具体内容"), required=True),
            Column("status", "落实情况", ("落实状态", "状态")),
        ),
    ),
    Sheet(
        "payments",
        ("资金发放", "收入发放", "发放记录", "补贴发放", "payments"),
        (
            Column("household_no", "户编号", ("户码", "户ID"), required=True),
            Column("item", "发放项目", ("项目", "补贴项目", "项目名称"), required=True),
            Column("amount", "金额（元）", ("金额", "发放金额", "发放金额（元）"), required=True),
            Column("paid_on", "发放日期", ("到账日期", "日期"), required=True),
            Column("channel", "发放渠道", ("发放方式", "渠道")),
            Column("measure_id", "措施编号", ("措施ID", "措施代码")),
        ),
    ),
)
_IGNORED_SHEETS = {"说明", "填表说明", "notes", "readme"}


def _norm_header(text: str) -> str:
    text = _HEADER_NOISE.sub("", text).replace("（", "(").replace("）", ")")
    return text.lower()


# -- reading tables ------------------------------------------------------------------------------------------
@dataclass
class Table:
    """A sheet or a CSV file: its name for reports, its header row number, headers and data rows."""

    name: str
    header_row: int
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    from_csv: bool


def _decode(raw: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected(f"{name}: the file is neither UTF-8 nor GBK/GB18030 text")


def _find_header(rows: Iterator[tuple[int, list[Any]]]) -> tuple[int, list[str], list[tuple[int, list[Any]]]]:
    """The header row: the first of the first rows that names 户编号, else the first non-empty one."""
    keys = SHEETS[0].column("household_no").names()
    looked: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        looked.append((number, values))
        cells = [_norm_header(str(v)) if v is not None else "" for v in values]
        if keys & set(cells):
            return number, [str(v).strip() if v is not None else "" for v in values], []
        if len(looked) >= 10:
            break
    for i, (number, values) in enumerate(looked):
        if any(v not in (None, "") for v in values):
            return number, [str(v).strip() if v is not None else "" for v in values], looked[i + 1 :]
    return 0, [], []


def _table(name: str, rows: Iterator[tuple[int, list[Any]]], *, from_csv: bool) -> Table:
    header_row, headers, pending = _find_header(rows)

    def data() -> Iterator[tuple[int, list[Any]]]:
        yield from pending
        yield from rows

    return Table(name=name, header_row=header_row, headers=headers, rows=data(), from_csv=from_csv)


def _csv_table(path: Path) -> Table:
    raw = path.read_bytes()
    if len(raw) > MAX_CSV_BYTES:
        raise ImportRejected(f"{path.name}: the file is over {MAX_CSV_BYTES // 1024 // 1024} MB")
    text = _decode(raw, path.name)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(path.name, ((n, list(r)) for n, r in enumerate(reader, start=1)), from_csv=True)


def _xlsx_tables(path: Path) -> Iterator[Table]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportRejected(f"{path.name}: cannot read the Excel file ({type(exc).__name__})") from None
    try:
        for sheet in book.worksheets:
            rows = ((n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1))
            yield _table(sheet.title, rows, from_csv=False)
    finally:
        book.close()


def _tables(path: Path) -> Iterator[Table]:
    if not path.exists():
        raise ImportRejected(f"{path}: no such file or folder")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xlsm"))
        if not files:
            raise ImportRejected(f"{path}: the folder holds no .csv or .xlsx file")
        for f in files:
            yield from _tables(f)
        return
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_tables(path)
    elif suffix in (".csv", ".txt"):
        yield _csv_table(path)
    elif suffix == ".xls":
        raise ImportRejected(f"{path.name}: old .xls workbooks are not read; save it as .xlsx or CSV (UTF-8)")
    else:
        raise ImportRejected(f"{path.name}: expected an .xlsx workbook, a .csv file or a folder of them")


def _sheet_for(table: Table) -> Sheet | None:
    name = _norm_header(Path(table.name).stem if table.from_csv else table.name)
    for sheet in SHEETS:
        if any(_norm_header(n) in name for n in sheet.names):
            return sheet
    headers = {_norm_header(x) for x in table.headers}
    # By headers: the sheet whose required columns are all there and that matches the most columns.
    best, best_hits = None, 0
    for sheet in SHEETS:
        if all(c.names() & headers for c in sheet.columns if c.required):
            hits = sum(bool(c.names() & headers) for c in sheet.columns)
            if hits > best_hits:
                best, best_hits = sheet, hits
    return best


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
    headers = [_norm_header(x) for x in table.headers]
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
    for table in _tables(path):
        sheet = _sheet_for(table)
        if sheet is None:
            if table.from_csv:
                problems.append(f"{table.name}: not a households, members, measures or payments table")
            elif _norm_header(table.name) not in _IGNORED_SHEETS:
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


def catalog_measure_ids(policies_dir: Path) -> set[str] | None:
    """The measure ids of the catalog in `policies_dir/measures` (file name = id), or None when absent."""
    folder = policies_dir / "measures"
    ids = {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()
    return ids or None


def report(problems: list[str]) -> str:
    """The row-by-row report printed when an import is rejected."""
    lines = [
        f"Import rejected, nothing was imported (导入失败，未导入任何数据): {len(problems)} problem(s).",
        *(f"  {p}" for p in problems[:MAX_REPORTED]),
    ]
    if len(problems) > MAX_REPORTED:
        lines.append(f"  … and {len(problems) - MAX_REPORTED} more")
    return "\n".join(lines)


def import_households_cli(settings: Settings, path: Path) -> int:
    """Import `path`; prints a summary or the problem report; returns the exit code (0 imported, 1 rejected)."""
    from core.services import build_services

    started = time.perf_counter()
    known = catalog_measure_ids(settings.policies_dir)
    if known is None:
        print(
            f"note: no measure catalog under {settings.policies_dir}; measure ids are checked for form only"
        )
    try:
        batch = read_batch(path, known_measures=known)
        services = build_services(settings)
        try:
            result = services.households.import_batch(batch)
        finally:
            services.close()
    except ImportRejected as exc:
        print(report(exc.problems or [exc.detail]), file=sys.stdout)
        return 1
    except BangfuError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(
        f"Imported {result.households} households ({result.created} new, {result.updated} updated), "
        f"{result.members} members, {result.measures} measures, {result.payments} payments "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0
