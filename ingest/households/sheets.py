"""The sheets of a county export: the Chinese column headers each kind of record has, and reading an XLSX
workbook, a CSV file (UTF-8 or GBK/GB18030) or a folder of them into tables recognised by name or headers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from core.errors import ImportRejected

MAX_CSV_BYTES = 200 * 1024 * 1024
_HEADER_NOISE = re.compile(r"[\s*＊:：]")


@dataclass(frozen=True)
class Column:
    """A column of an export: the field it fills, its usual header, other headers seen for it."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> set[str]:
        return {norm_header(n) for n in (self.header, *self.aliases)}


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
IGNORED_SHEETS = {"说明", "填表说明", "notes", "readme"}


def norm_header(text: str) -> str:
    """A header or sheet name as compared: no spaces, asterisks or colons; ASCII brackets; lower case."""
    text = _HEADER_NOISE.sub("", text).replace("（", "(").replace("）", ")")
    return text.lower()


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
        cells = [norm_header(str(v)) if v is not None else "" for v in values]
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


def tables(path: Path) -> Iterator[Table]:
    """The tables of a workbook, a CSV file or a folder of them; ImportRejected when none can be read."""
    if not path.exists():
        raise ImportRejected(f"{path}: no such file or folder")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xlsm"))
        if not files:
            raise ImportRejected(f"{path}: the folder holds no .csv or .xlsx file")
        for f in files:
            yield from tables(f)
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


def sheet_for(table: Table) -> Sheet | None:
    """The kind of record a table holds, by its name, else by its headers; None when it is none of them."""
    name = norm_header(Path(table.name).stem if table.from_csv else table.name)
    for sheet in SHEETS:
        if any(norm_header(n) in name for n in sheet.names):
            return sheet
    headers = {norm_header(x) for x in table.headers}
    # By headers: the sheet whose required columns are all there and that matches the most columns.
    best, best_hits = None, 0
    for sheet in SHEETS:
        if all(c.names() & headers for c in sheet.columns if c.required):
            hits = sum(bool(c.names() & headers) for c in sheet.columns)
            if hits > best_hits:
                best, best_hits = sheet, hits
    return best
