"""`python -m ingest households FILE` on real files: the sample export, CSV encodings, and rejected files."""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import Workbook, load_workbook

from core.errors import ImportRejected
from core.records.audit import Actor
from core.records.db import Database, temporary_schema
from core.records.households import HouseholdRecords
from core.records.pii import PiiHasher
from core.settings import Settings
from ingest.households import catalog_measure_ids, import_households_cli, read_batch

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "households.xlsx"
POLICIES = ROOT / "policies"
ACTOR = Actor(role="household", who="chat:1", channel="telegram")
TOWNSHIPS = {"青禾镇", "白沙乡", "柳河镇", "石桥乡", "东岭镇"}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_households", ROOT / "examples" / "make_households.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = load_generator()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    values = {
        "data_dir": tmp_path / "data",
        "policies_dir": POLICIES,
        "secret_key": "test-secret-key-0123456789abcdef",
    }
    if request.param == "sqlite":
        yield Settings(**values)  # type: ignore[arg-type]
        return
    with temporary_schema(request.getfixturevalue("pg_url")) as url:
        yield Settings(**values, database_url=url)  # type: ignore[arg-type]


def stored(settings: Settings) -> tuple[int, str]:
    """How many households are stored, and the status summary of the first sample household."""
    db = Database.open(settings)
    try:
        records = HouseholdRecords(db, PiiHasher.from_settings(settings))
        count = records.count()
        if not count:
            return 0, ""
        from sqlalchemy import select

        from core.records.households import Household

        with db.read_session() as session:
            first = session.scalar(select(Household.id).order_by(Household.household_no))
        assert first is not None
        return count, records.status(household_id=first, actor=ACTOR).summary
    finally:
        db.close()


def sample_pii() -> list[str]:
    """The raw ID numbers, phones and member names of the sample export (none may leak)."""
    export = gen.generate(36)
    return [m[2] for m in export.members] + [h[5] for h in export.households] + [m[1] for m in export.members]


# -- the sample export ---------------------------------------------------------------------------------------------
def test_the_sample_export_is_marked_fictional_and_has_what_the_issue_asks() -> None:
    book = load_workbook(EXAMPLE, read_only=True)
    try:
        assert book.sheetnames == ["说明", "户信息", "家庭成员", "帮扶措施", "资金发放"]
        notes = " ".join(str(row[0]) for row in book["说明"].iter_rows(values_only=True))
        headers = next(book["户信息"].iter_rows(values_only=True))
    finally:
        book.close()
    assert "虚构" in notes and "FICTIONAL" in notes
    assert "户编号" in headers and "联系电话" in headers

    known = catalog_measure_ids(POLICIES)
    assert known is not None and {"microcredit", "public-welfare-job", "housing-renovation-d"} <= known
    batch = read_batch(EXAMPLE, known_measures=known)  # every row valid, every measure id in the catalog
    assert len(batch.households) >= 30
    assert {h.township for h in batch.households} == TOWNSHIPS
    assert {h.household_type for h in batch.households} == {"脱贫户", "监测户", "一般农户"}
    assert all(m.id_number.startswith("999001") for m in batch.members)
    assert all(h.phone and h.phone.startswith("1380000") for h in batch.households)
    assert {m.measure_id for m in batch.measures} <= known and len(batch.payments) > 30


def test_the_shipped_workbook_matches_its_generator() -> None:
    export = gen.generate(36)
    batch = read_batch(EXAMPLE)
    assert [h.household_no for h in batch.households] == [row[0] for row in export.households]
    assert len(batch.members) == len(export.members) and len(batch.payments) == len(export.payments)


def test_cli_imports_the_sample_and_a_second_run_changes_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert import_households_cli(settings, EXAMPLE) == 0
    first = stored(settings)
    assert first[0] == 36 and "户编号" in first[1]
    assert import_households_cli(settings, EXAMPLE) == 0
    assert stored(settings) == first
    out = capsys.readouterr().out
    assert "Imported 36 households (36 new, 0 updated)" in out and "(0 new, 36 updated)" in out
    for value in sample_pii():
        assert value not in caplog.text, "personal data in the logs"
        assert value not in out


# -- CSV ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_exports_read_the_same_in_every_chinese_encoding(encoding: str, tmp_path: Path) -> None:
    export = gen.generate(12)
    gen.write_csv(export, tmp_path / "utf8", encoding="utf-8-sig")
    gen.write_csv(export, tmp_path / encoding, encoding=encoding)
    expected, got = read_batch(tmp_path / "utf8"), read_batch(tmp_path / encoding)
    assert got.kinds == {"households", "members", "measures", "payments"}
    assert [(h.household_no, h.township, h.head_name) for h in got.households] == [
        (h.household_no, h.township, h.head_name) for h in expected.households
    ]
    assert [m.name for m in got.members] == [m.name for m in expected.members]


def test_a_single_csv_file_is_recognised_by_its_headers(tmp_path: Path) -> None:
    export = gen.generate(5)
    gen.write_csv(export, tmp_path)
    renamed = tmp_path / "export-2024.csv"
    (tmp_path / "家庭成员.csv").rename(renamed)
    batch = read_batch(renamed)
    assert batch.kinds == {"members"} and len(batch.members) == len(export.members)


# -- rejected files ----------------------------------------------------------------------------------------------
def write_gbk_csv(path: Path, rows: list[list[str]]) -> None:
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gbk"))


HOUSEHOLD_HEADER = [
    "户编号",
    "乡镇",
    "行政村",
    "组",
    "户主姓名",
    "联系电话",
    "户类型",
    "监测对象类别",
    "风险等级",
    "家庭人口",
    "数据截止日期",
]


def test_a_bad_gbk_export_is_reported_row_by_row_and_nothing_changes(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_households_cli(settings, EXAMPLE) == 0
    before = stored(settings)
    capsys.readouterr()
    first = gen.generate(36).households[0]
    good_id = gen.fictional_id(__import__("datetime").date(1980, 1, 1), 1)
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    folder = tmp_path / "export"
    folder.mkdir()
    write_gbk_csv(
        folder / "户信息.csv",
        [
            HOUSEHOLD_HEADER,
            [
                first[0],
                "青禾镇",
                "柳湾村",
                "1组",
                "王海燕",
                "13800000001",
                "脱贫户",
                "",
                "红色",
                "3",
                "2024-07-31",
            ],
            [
                "990001XX0001",
                "青禾镇",
                "柳湾村",
                "1组",
                "李四",
                "13800000099",
                "贫困户",
                "",
                "",
                "2",
                "2024-07-31",
            ],
            [
                first[0],
                "青禾镇",
                "柳湾村",
                "1组",
                "王海燕",
                "13800000001",
                "脱贫户",
                "",
                "",
                "3",
                "2024-07-31",
            ],
            [
                "990001XX0002",
                "白沙乡",
                "白沙村",
                "2组",
                "赵六",
                "1380000",
                "监测户",
                "",
                "",
                "2",
                "2024-13-45",
            ],
        ],
    )
    write_gbk_csv(
        folder / "家庭成员.csv",
        [
            ["户编号", "姓名", "证件号码", "与户主关系", "年龄"],
            [first[0], "王海燕", good_id, "户主", "44"],
            [first[0], "王小明", bad_id, "之子", "12"],
            [first[0], "王小红", good_id, "之女", "10"],
        ],
    )
    assert import_households_cli(settings, folder) == 1
    out = capsys.readouterr().out
    assert "nothing was imported" in out and "导入失败" in out
    problems = [line.strip() for line in out.splitlines()[1:]]
    assert sorted(problems) == sorted(
        [
            "户信息.csv row 3, 户类型: unknown household type; expected one of 脱贫户, 监测户, 一般农户",
            "户信息.csv row 5, 联系电话: a mobile number has 11 digits and starts with 13–19",
            "户信息.csv row 5, 监测对象类别: a 监测户 needs its 监测对象类别",
            "户信息.csv row 5, 数据截止日期: not a date; write it as 2024-03-15",
            "家庭成员.csv row 3, 证件号码: the ID number's check digit does not match (GB 11643 checksum) "
            f"[999***********{bad_id[-4:]}]",
            "户信息.csv row 4, 户编号: the same 户编号 as 户信息.csv row 2",
            "家庭成员.csv row 4, 证件号码: the same 证件号码 as 家庭成员.csv row 2",
        ]
    )
    assert bad_id not in out and good_id not in out
    assert stored(settings) == before  # the good first row was not applied either


def test_an_id_number_excel_stored_as_a_number_is_explained(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "家庭成员"
    sheet.append(["户编号", "姓名", "证件号码", "与户主关系"])
    sheet.append(["H0001", "王大山", 999001198001010011, "户主"])
    book.save(tmp_path / "members.xlsx")
    with pytest.raises(ImportRejected) as err:
        read_batch(tmp_path / "members.xlsx")
    assert err.value.problems == [
        "家庭成员 row 2, 证件号码: stored as a number, so Excel dropped digits; format the column as text"
    ]


def test_missing_columns_unknown_measures_and_unreadable_files(tmp_path: Path) -> None:
    write_gbk_csv(tmp_path / "户信息.csv", [["户编号", "乡镇", "户主姓名"], ["H0001", "青禾镇", "王大山"]])
    with pytest.raises(ImportRejected) as err:
        read_batch(tmp_path / "户信息.csv")
    assert err.value.problems == [
        "户信息.csv: missing column 行政村",
        "户信息.csv: missing column 户类型",
        "户信息.csv: missing column 家庭人口",
    ]

    write_gbk_csv(
        tmp_path / "帮扶措施.csv",
        [
            ["户编号", "措施编号", "年度", "帮扶内容"],
            ["H0001", "free-money", "2024", "x"],
            ["H0001", "Bad Id", "24", "y"],
        ],
    )
    with pytest.raises(ImportRejected) as err:
        read_batch(tmp_path / "帮扶措施.csv", known_measures=catalog_measure_ids(POLICIES))
    assert err.value.problems == [
        "帮扶措施.csv row 2, 措施编号: 'free-money' is not in the measure catalog",
        "帮扶措施.csv row 3, 措施编号: a measure id is lowercase letters, digits and hyphens, e.g. microcredit",
        "帮扶措施.csv row 3, 年度: must be between 2000 and 2100",
    ]

    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "binary.csv").write_bytes(bytes(range(128, 256)) * 4)
    for name, message in (
        ("broken.xlsx", "cannot read the Excel file"),
        ("old.xls", "save it as .xlsx"),
        ("binary.csv", "neither UTF-8 nor GBK"),
        ("missing.csv", "no such file"),
    ):
        with pytest.raises(ImportRejected, match=message):
            read_batch(tmp_path / name)
