"""Builders and probes for tests of the records database: a small household batch, dumps of what is stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.records.audit import Actor, AuditRecord
from core.records.db import Base, Database
from core.records.households import (
    Household,
    HouseholdBatch,
    HouseholdRow,
    MeasureRow,
    MemberRow,
    PaymentRow,
)
from core.records.pii import id_check_char

CHANNEL = "telegram"
HOUSEHOLD_ACTOR = Actor(role="household", who="chat:1", channel=CHANNEL)
CADRE_ACTOR = Actor(role="cadre", who="cadre:1/chat:9", channel=CHANNEL)


def fake_id(n: int) -> str:
    first17 = f"99900119800101{n:03d}"
    return first17 + id_check_char(first17)


def household(no: str, township: str, village: str, phone: str, **kw: object) -> HouseholdRow:
    values: dict[str, object] = {
        "where": f"户信息 row {no}",
        "household_no": no,
        "township": township,
        "village": village,
        "group_name": "1组",
        "head_name": f"户主{no[-2:]}",
        "phone": phone,
        "household_type": "脱贫户",
        "monitoring_type": None,
        "risk_level": "orange",
        "size": 2,
        "helper_name": "周文斌",
        "helper_phone": "13900000001",
        "data_as_of": date(2024, 6, 30),
    }
    values.update(kw)
    return HouseholdRow(**values)  # type: ignore[arg-type]


def small_batch() -> HouseholdBatch:
    return HouseholdBatch(
        households=[
            household("H0001", "青禾镇", "柳湾村", "13800000001"),
            household(
                "H0002",
                "青禾镇",
                "青禾村",
                "13800000002",
                household_type="监测户",
                monitoring_type="边缘易致贫户",
            ),
            household("H0003", "白沙乡", "白沙村", "13800000003"),
        ],
        members=[
            MemberRow(
                "家庭成员 row 2", "H0001", "王大山", "户主", fake_id(1), 60, "弱劳动力", "健康", "不在读"
            ),
            MemberRow("家庭成员 row 3", "H0001", "李秀英", "配偶", fake_id(2), None, None, None, None),
            MemberRow(
                "家庭成员 row 4", "H0002", "张春生", "户主", fake_id(3), 45, "普通劳动力", "健康", "不在读"
            ),
            MemberRow(
                "家庭成员 row 5", "H0003", "刘玉梅", "户主", fake_id(4), 50, "普通劳动力", "健康", "不在读"
            ),
        ],
        measures=[
            MeasureRow("帮扶措施 row 2", "H0001", "industry-breeding-award", 2024, "养鸡200只", "已落实"),
            MeasureRow("帮扶措施 row 3", "H0001", "microcredit", 2023, "小额信贷3万元", "已落实"),
        ],
        payments=[
            PaymentRow(
                "资金发放 row 2", "H0001", "到户产业奖补", Decimal("2600.00"), date(2024, 5, 20), "一卡通"
            ),
            PaymentRow(
                "资金发放 row 3", "H0001", "公益岗位工资", Decimal("500.50"), date(2024, 6, 15), "一卡通"
            ),
        ],
        kinds={"households", "members", "measures", "payments"},
    )


RAW_VALUES = [fake_id(n) for n in range(1, 5)] + [f"1380000000{n}" for n in range(1, 4)]


def all_text_in_db(db: Database) -> str:
    """Every value of every table, as text (to prove what is not stored)."""
    parts: list[str] = []
    with db.read_session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def records_snapshot(db: Database) -> dict[str, list[tuple[str, ...]]]:
    """The household tables' contents without row ids and timestamps, sorted."""
    tables = ("households", "household_members", "household_measures", "household_payments")
    out = {}
    with db.read_session() as session:
        for table in (Base.metadata.tables[t] for t in tables):
            columns = [c for c in table.columns if c.name not in ("id", "updated_at")]
            out[table.name] = sorted(tuple(map(str, row)) for row in session.execute(select(*columns)))
    return out


def audit_rows(db: Database) -> list[AuditRecord]:
    with db.read_session() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def id_of(db: Database, household_no: str) -> int:
    """The row id of the stored household with this 户编号."""
    with db.read_session() as session:
        return session.scalar(select(Household.id).where(Household.household_no == household_no))  # type: ignore[return-value]
