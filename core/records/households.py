"""Household records: households, members, measures received and payments; reads that are audited.

A county export is parsed by `ingest.households` into a `HouseholdBatch` of validated rows and written here in
one transaction (upsert by 户编号). Reads go through `HouseholdRecords`, which writes an audit record in the
same transaction as every read of household data::

    records = HouseholdRecords(db, hasher)
    records.import_batch(batch)                                     # ImportRejected → nothing written
    status = records.status(household_id=7, actor=actor)            # the household itself
    page = records.list_households(jurisdiction=Jurisdiction.village("青禾镇", "柳湾村"), actor=actor)
    facts = records.eligibility_facts(household_id=7, actor=actor, member=2)  # for screening: no names, no IDs
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import ColumnElement

from core.errors import ImportRejected, InvalidInput, NotFound
from core.records import audit
from core.records import texts as T
from core.records.audit import Actor
from core.records.db import Base, Database, UTCDateTime, bulk_insert, utcnow
from core.records.pii import PiiHasher, birth_date_of, mask_id_number, mask_phone

logger = logging.getLogger(__name__)

HOUSEHOLD_TYPES = ("脱贫户", "监测户", "一般农户")
MONITORING_TYPES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
RISK_LEVELS = ("red", "orange", "blue")
LABOR_CAPACITIES = ("普通劳动力", "弱劳动力", "半劳动力", "丧失劳动力", "无劳动力")
SCHOOLING_STAGES = ("学前教育", "义务教育", "普通高中", "中等职业教育", "高等教育", "不在读")
JURISDICTION_LEVELS = ("county", "township", "village")
MEASURE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_PAGE_SIZE = 100
_CHUNK = 500

# Spellings county exports use for the same value → the canonical value (fact values of policies/facts.yaml).
_ALIASES: dict[str, dict[str, str]] = {
    "household_type": {
        "已脱贫户": "脱贫户",
        "脱贫人口": "脱贫户",
        "监测对象": "监测户",
        "一般户": "一般农户",
    },
    "monitoring_type": {"不稳定户": "脱贫不稳定户", "边缘户": "边缘易致贫户", "突发困难户": "突发严重困难户"},
    "risk_level": {
        "红": "red",
        "红色": "red",
        "一级": "red",
        "橙": "orange",
        "橙色": "orange",
        "二级": "orange",
        "蓝": "blue",
        "蓝色": "blue",
        "三级": "blue",
    },
    "schooling": {
        "小学": "义务教育",
        "初中": "义务教育",
        "高中": "普通高中",
        "中职": "中等职业教育",
        "职高": "中等职业教育",
        "技校": "中等职业教育",
        "高职": "高等教育",
        "大专": "高等教育",
        "本科": "高等教育",
        "大学": "高等教育",
        "研究生": "高等教育",
        "幼儿园": "学前教育",
        "非在校生": "不在读",
        "不在校": "不在读",
    },
}


def _canonical(kind: str, value: str, allowed: Sequence[str], what: str) -> str:
    value = value.strip()
    value = _ALIASES.get(kind, {}).get(value, value)
    if value.lower() in allowed:
        value = value.lower()
    if value not in allowed:
        raise InvalidInput(f"unknown {what}; expected one of {', '.join(allowed)}")
    return value


def parse_household_type(value: str) -> str:
    """户类型 → 脱贫户 | 监测户 | 一般农户."""
    return _canonical("household_type", value, HOUSEHOLD_TYPES, "household type")


def parse_monitoring_type(value: str) -> str:
    """监测对象类别 → 脱贫不稳定户 | 边缘易致贫户 | 突发严重困难户."""
    return _canonical("monitoring_type", value, MONITORING_TYPES, "monitoring type")


def parse_risk_level(value: str) -> str:
    """风险等级 (红色/一级/red …) → red | orange | blue."""
    return _canonical("risk_level", value, RISK_LEVELS, "risk level")


def parse_labor_capacity(value: str) -> str:
    return _canonical("labor_capacity", value, LABOR_CAPACITIES, "labor capacity")


def parse_schooling(value: str) -> str:
    return _canonical("schooling", value, SCHOOLING_STAGES, "schooling stage")


def parse_measure_id(value: str) -> str:
    value = value.strip()
    if not MEASURE_ID.match(value):
        raise InvalidInput("a measure id is lowercase letters, digits and hyphens, e.g. microcredit")
    return value


def parse_amount(value: str) -> Decimal:
    """An amount in yuan with at most two decimals (``1,200.50`` ``1200元``), positive."""
    raw = value.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput("not a number of yuan") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput("an amount must be a positive number of yuan")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("an amount has at most two decimals (fen)")
    if amount >= Decimal("100000000"):
        raise InvalidInput("an amount over 100 million yuan is not plausible")
    return amount


# -- tables --------------------------------------------------------------------------------------------
class Household(Base):
    """One household (户) as the county's records hold it."""

    __tablename__ = "households"
    __table_args__ = (Index("ix_households_area", "township", "village"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_no: Mapped[str] = mapped_column(String(32), unique=True)
    township: Mapped[str] = mapped_column(String(50))
    village: Mapped[str] = mapped_column(String(50))
    group_name: Mapped[str | None] = mapped_column(String(50))
    head_name: Mapped[str] = mapped_column(String(50))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    household_type: Mapped[str] = mapped_column(String(10))
    monitoring_type: Mapped[str | None] = mapped_column(String(20))
    risk_level: Mapped[str | None] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    helper_name: Mapped[str | None] = mapped_column(String(50))
    # The 帮扶责任人's work phone is printed on the household's 明白卡; it is shown to the household in full.
    helper_phone: Mapped[str | None] = mapped_column(String(20))
    data_as_of: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Member(Base):
    """A member of a household."""

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(18))
    id_last4: Mapped[str] = mapped_column(String(4), index=True)
    age: Mapped[int | None] = mapped_column(Integer)
    labor_capacity: Mapped[str | None] = mapped_column(String(10))
    health: Mapped[str | None] = mapped_column(String(50))
    schooling: Mapped[str | None] = mapped_column(String(10))


class MeasureReceived(Base):
    """A support measure of the catalog the household received in a year."""

    __tablename__ = "household_measures"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))


class Payment(Base):
    """Money paid to the household (amount in fen, to keep it exact on every database)."""

    __tablename__ = "household_payments"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(50))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    measure_id: Mapped[str | None] = mapped_column(String(64))


_HOUSEHOLDS = cast(Table, Household.__table__)


# -- validated input ---------------------------------------------------------------------------------------
@dataclass
class HouseholdRow:
    """A validated row of the households sheet; `where` names its place in the file for reports."""

    where: str
    household_no: str
    township: str
    village: str
    group_name: str | None
    head_name: str
    phone: str | None
    household_type: str
    monitoring_type: str | None
    risk_level: str | None
    size: int
    helper_name: str | None
    helper_phone: str | None
    data_as_of: date


@dataclass
class MemberRow:
    where: str
    household_no: str
    name: str
    relation: str
    id_number: str
    age: int | None
    labor_capacity: str | None
    health: str | None
    schooling: str | None


@dataclass
class MeasureRow:
    where: str
    household_no: str
    measure_id: str
    year: int
    content: str
    status: str


@dataclass
class PaymentRow:
    where: str
    household_no: str
    item: str
    amount: Decimal
    paid_on: date
    channel: str
    measure_id: str | None = None


@dataclass
class HouseholdBatch:
    """Everything one import file holds. `kinds` names the sheets present: their rows replace stored ones."""

    households: list[HouseholdRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    members: int
    measures: int
    payments: int

    @property
    def households(self) -> int:
        return self.created + self.updated


def duplicate_problems(batch: HouseholdBatch) -> list[str]:
    """Rows that repeat a 户编号 in the households sheet or an ID number among members, as report lines."""
    problems: list[str] = []
    for column, rows in (
        ("户编号", [(r.where, r.household_no) for r in batch.households]),
        ("证件号码", [(m.where, m.id_number) for m in batch.members]),
    ):
        first: dict[str, str] = {}
        for where, key in rows:
            if key in first:
                problems.append(f"{where}, {column}: the same {column} as {first[key]}")
            else:
                first[key] = where
    return problems


# -- who may see what -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Jurisdiction:
    """The households a cadre looks after: the whole county, one township, or one village of a township."""

    level: str
    township: str | None = None
    village: str | None = None

    def __post_init__(self) -> None:
        if self.level not in JURISDICTION_LEVELS:
            raise InvalidInput(f"jurisdiction level must be one of {', '.join(JURISDICTION_LEVELS)}")
        if self.level in ("township", "village") and not self.township:
            raise InvalidInput("a township or village jurisdiction names its township")
        if self.level == "village" and not self.village:
            raise InvalidInput("a village jurisdiction names its village")
        if self.level == "county" and (self.township or self.village):
            raise InvalidInput("a county jurisdiction names no township or village")
        if self.level == "township" and self.village:
            raise InvalidInput("a township jurisdiction names no village")

    @classmethod
    def county(cls) -> Jurisdiction:
        return cls("county")

    @classmethod
    def of_township(cls, township: str) -> Jurisdiction:
        return cls("township", township)

    @classmethod
    def of_village(cls, township: str, village: str) -> Jurisdiction:
        return cls("village", township, village)

    def clause(self) -> list[ColumnElement[bool]]:
        """WHERE conditions selecting exactly the households in this jurisdiction."""
        conds: list[ColumnElement[bool]] = []
        if self.township is not None:
            conds.append(Household.township == self.township)
        if self.village is not None:
            conds.append(Household.village == self.village)
        return conds

    def label(self) -> str:
        return {
            "county": "全县",
            "township": self.township or "",
            "village": f"{self.township}{self.village}",
        }[self.level]


# -- what reads return ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberView:
    name: str
    relation: str
    id_masked: str
    age: int | None
    labor_capacity: str | None
    health: str | None
    schooling: str | None


@dataclass(frozen=True)
class MeasureView:
    measure_id: str
    name: str | None
    year: int
    content: str
    status: str


@dataclass(frozen=True)
class PaymentView:
    item: str
    amount: Decimal
    paid_on: date
    channel: str
    measure_id: str | None


@dataclass(frozen=True)
class HouseholdSummary:
    household_no: str
    township: str
    village: str
    group_name: str | None
    head_name: str
    phone_masked: str | None
    household_type: str
    monitoring_type: str | None
    risk_level: str | None
    size: int
    data_as_of: date


@dataclass(frozen=True)
class HouseholdStatus:
    """A household's whole record as its own members (or its cadre) may see it; PII masked."""

    household: HouseholdSummary
    helper_name: str | None
    helper_phone: str | None
    members: list[MemberView]
    measures: list[MeasureView]
    payments: list[PaymentView]
    summary: str


@dataclass(frozen=True)
class PaymentsAnswer:
    """The answer to "did X arrive": matching payments, their total and a plain-Chinese reply."""

    item: str | None
    payments: list[PaymentView]
    total: Decimal
    data_as_of: date
    summary: str


@dataclass(frozen=True)
class HouseholdPage:
    items: list[HouseholdSummary]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class MemberFacts:
    """What the record says about one member that eligibility rules can use; no name, no ID number.

    `number` is the member's place in the household's list (1-based), as GET /v1/me/status shows them.
    """

    number: int
    relation: str
    age: int | None
    labor_capacity: str | None
    health: str | None
    schooling: str | None

    @classmethod
    def of_record(
        cls,
        *,
        number: int,
        relation: str,
        age: int | None,
        labor_capacity: str | None,
        health: str | None,
        schooling: str | None,
    ) -> MemberFacts:
        """A member's facts with old spellings mapped as the import maps them; what does not map is None."""
        return cls(
            number=number,
            relation=relation,
            age=age,
            labor_capacity=_lenient(parse_labor_capacity, labor_capacity),
            health=health,
            schooling=_lenient(parse_schooling, schooling),
        )


@dataclass(frozen=True)
class HouseholdFacts:
    """What a household's record says that eligibility screening can use (see `core.eligibility.prefill`)."""

    household_type: str
    monitoring_type: str | None
    data_as_of: date
    members: tuple[MemberFacts, ...]

    def person(self, member: int | None) -> MemberFacts | None:
        """The member person-level facts are about: number `member`, else the only member, else None.

        InvalidInput when `member` is not a number of this record's list.
        """
        if member is None:
            return self.members[0] if len(self.members) == 1 else None
        if not 1 <= member <= len(self.members):
            listed = (
                f"it lists {len(self.members)} members, numbered 1 to {len(self.members)} in the order "
                "GET /v1/me/status shows them"
                if self.members
                else "it lists no members"
            )
            raise InvalidInput(f"member {member} is not in your household's record: {listed}")
        return self.members[member - 1]


# -- texts ------------------------------------------------------------------------------------------------
def format_date(d: date) -> str:
    return T.DATE.format(y=d.year, m=d.month, d=d.day)


def format_yuan(amount: Decimal) -> str:
    """`1200.00` → ``1200``; `1200.5` → ``1200.50``."""
    q = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(q.quantize(Decimal(1))) if q == q.to_integral_value() else str(q)


def status_summary(status: HouseholdStatus) -> str:
    """The short plain-Chinese reply for "what is my household's situation"."""
    h = status.household
    parts = [T.STATUS_TYPE.format(household_no=h.household_no, household_type=h.household_type)]
    if h.monitoring_type:
        parts.append(T.STATUS_MONITORING.format(monitoring_type=h.monitoring_type))
    if h.risk_level:
        parts.append(T.STATUS_RISK.format(risk=T.RISK_LABELS[h.risk_level]))
    parts.append(T.STATUS_SIZE.format(size=h.size))
    if status.measures:
        year = max(m.year for m in status.measures)
        names = list(dict.fromkeys(m.name or m.content for m in status.measures if m.year == year))
        parts.append(T.STATUS_MEASURES.format(year=year, items=T.LIST_SEP.join(names)))
    else:
        parts.append(T.STATUS_NO_MEASURES)
    if status.payments:
        p = status.payments[0]
        parts.append(
            T.STATUS_LAST_PAYMENT.format(
                date=format_date(p.paid_on), item=p.item, amount=format_yuan(p.amount), channel=p.channel
            )
        )
    else:
        parts.append(T.STATUS_NO_PAYMENTS)
    if status.helper_name:
        helper = T.STATUS_HELPER.format(name=status.helper_name)
        if status.helper_phone:
            helper += T.STATUS_HELPER_PHONE.format(phone=status.helper_phone)
        parts.append(helper + "。")
    else:
        parts.append(T.STATUS_NO_HELPER)
    parts.append(T.STATUS_AS_OF.format(date=format_date(h.data_as_of)))
    return "".join(parts)


def payments_summary(
    item: str | None, payments: list[PaymentView], total: Decimal, data_as_of: date, helper: str | None
) -> str:
    """The plain-Chinese reply for "did X arrive"."""
    if payments:
        lines = T.SEP.join(
            T.PAYMENTS_LINE.format(
                date=format_date(p.paid_on), item=p.item, amount=format_yuan(p.amount), channel=p.channel
            )
            for p in payments[:5]
        )
        template = T.PAYMENTS_FOUND if item else T.PAYMENTS_FOUND_ALL
        return template.format(count=len(payments), item=item, lines=lines, total=format_yuan(total))
    head = T.PAYMENTS_NONE.format(item=item) if item else T.PAYMENTS_NONE_ALL
    return head + T.PAYMENTS_AS_OF.format(
        date=format_date(data_as_of), helper=helper or T.PAYMENTS_HELPER_UNKNOWN
    )


# Bigrams that every subsidy name shares; matching on them would answer "鸡苗补助" with "教育补助".
_GENERIC_BIGRAMS = {"补贴", "补助", "奖补", "资金", "发放", "工资", "收入", "费用", "到户", "帮扶"}


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} - _GENERIC_BIGRAMS


def payment_matches(query: str, payment: PaymentView) -> bool:
    """Whether a colloquial item name ("产业补贴") refers to a payment ("到户产业奖补")."""
    q = re.sub(r"[\s了吗的呢？?]", "", query)
    if not q or q == payment.measure_id:
        return True
    item = payment.item
    return q in item or item in q or bool(_bigrams(q) & _bigrams(item))


def _lenient(parse: Callable[[str], str], value: str | None) -> str | None:
    """A stored value in its canonical spelling, or None when it has none the parser accepts."""
    if not value:
        return None
    try:
        return parse(value)
    except InvalidInput:
        return None


# -- the service -----------------------------------------------------------------------------------------
def _summary(h: Household) -> HouseholdSummary:
    return HouseholdSummary(
        household_no=h.household_no,
        township=h.township,
        village=h.village,
        group_name=h.group_name,
        head_name=h.head_name,
        phone_masked=h.phone_masked,
        household_type=h.household_type,
        monitoring_type=h.monitoring_type,
        risk_level=h.risk_level,
        size=h.size,
        data_as_of=h.data_as_of,
    )


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class HouseholdRecords:
    """Reads (each audited in its own transaction) and the bulk import of household records."""

    def __init__(
        self, db: Database, hasher: PiiHasher, *, measure_names: Callable[[], Mapping[str, str]] = dict
    ) -> None:
        self._db = db
        self._hasher = hasher
        self._measure_names = measure_names

    # -- reads by the household itself ---------------------------------------------------------------
    def status(self, *, household_id: int, actor: Actor) -> HouseholdStatus:
        """The bound household's whole record and summary."""
        with self._db.session() as session:
            household = session.get(Household, household_id)
            if household is None:
                raise NotFound("the household record no longer exists")
            status = self._status(session, household)
            audit.record(session, actor=actor, action="status", household_nos=[household.household_no])
        return status

    def payments(
        self, *, household_id: int, actor: Actor, item: str | None = None, year: int | None = None
    ) -> PaymentsAnswer:
        """The bound household's payments, optionally only those matching `item` (and `year`)."""
        item = (item or "").strip() or None
        with self._db.session() as session:
            household = session.get(Household, household_id)
            if household is None:
                raise NotFound("the household record no longer exists")
            payments = [
                p for p in self._payments(session, household.id) if item is None or payment_matches(item, p)
            ]
            if year is not None:
                payments = [p for p in payments if p.paid_on.year == year]
            detail = "item given" if item else "all items"
            audit.record(
                session, actor=actor, action="payments", household_nos=[household.household_no], detail=detail
            )
            helper, as_of = household.helper_name, household.data_as_of
        total = sum((p.amount for p in payments), Decimal("0.00"))
        return PaymentsAnswer(
            item=item,
            payments=payments,
            total=total,
            data_as_of=as_of,
            summary=payments_summary(item, payments, total, as_of, helper),
        )

    def eligibility_facts(
        self, *, household_id: int, actor: Actor, member: int | None = None
    ) -> HouseholdFacts:
        """What the bound household's record says that screening can use, for the member chosen; audited.

        An unknown `member` raises InvalidInput and records nothing.
        """
        with self._db.session() as session:
            household = session.get(Household, household_id)
            if household is None:
                raise NotFound("the household record no longer exists")
            rows = session.execute(
                select(Member.relation, Member.age, Member.labor_capacity, Member.health, Member.schooling)
                .where(Member.household_id == household.id)
                .order_by(Member.position)
            ).all()
            facts = HouseholdFacts(
                household_type=household.household_type,
                monitoring_type=household.monitoring_type,
                data_as_of=household.data_as_of,
                members=tuple(
                    MemberFacts.of_record(
                        number=i,
                        relation=r.relation,
                        age=r.age,
                        labor_capacity=r.labor_capacity,
                        health=r.health,
                        schooling=r.schooling,
                    )
                    for i, r in enumerate(rows, start=1)
                ),
            )
            facts.person(member)  # refused before the read is recorded
            audit.record(
                session,
                actor=actor,
                action="eligibility",
                household_nos=[household.household_no],
                detail=f"member={member}" if member is not None else "member=none",
            )
        return facts

    # -- reads by cadres ---------------------------------------------------------------------------------
    def list_households(
        self,
        *,
        jurisdiction: Jurisdiction,
        actor: Actor,
        page: int = 1,
        page_size: int = 20,
        township: str | None = None,
        village: str | None = None,
        household_type: str | None = None,
        risk_level: str | None = None,
    ) -> HouseholdPage:
        """Households in the jurisdiction, optionally narrowed, ordered by 户编号."""
        page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
        conds = jurisdiction.clause()
        for column, value in (
            (Household.township, township),
            (Household.village, village),
            (Household.household_type, household_type),
            (Household.risk_level, risk_level),
        ):
            if value:
                conds.append(column == value)
        with self._db.session() as session:
            total = session.scalar(select(func.count()).select_from(Household).where(*conds)) or 0
            rows = session.scalars(
                select(Household)
                .where(*conds)
                .order_by(Household.household_no)
                .offset((page - 1) * page_size)
                .limit(page_size)
            ).all()
            items = [_summary(h) for h in rows]
            audit.record(
                session,
                actor=actor,
                action="list",
                household_nos=[h.household_no for h in items] or [None],
                detail=f"page={page} size={page_size} total={total}",
            )
        return HouseholdPage(items=items, total=total, page=page, page_size=page_size)

    def search(
        self, *, jurisdiction: Jurisdiction, actor: Actor, query: str, limit: int = 20
    ) -> list[HouseholdSummary]:
        """Households in the jurisdiction by 户编号, a member's name, or the last four characters of an ID."""
        q = query.strip().upper()
        if len(q) < 2:
            raise InvalidInput("search for at least two characters")
        if re.fullmatch(r"\d{3}[\dX]", q):
            by = "id_last4"
            match: ColumnElement[bool] = Household.id.in_(
                select(Member.household_id).where(Member.id_last4 == q)
            )
        elif re.fullmatch(r"[\dA-Z-]{2,32}", q) and re.search(r"\d", q):
            by = "household_no"
            match = Household.household_no.startswith(q, autoescape=True)
        else:
            by = "name"
            name = query.strip()
            match = or_(
                Household.head_name.contains(name, autoescape=True),
                Household.id.in_(
                    select(Member.household_id).where(Member.name.contains(name, autoescape=True))
                ),
            )
        with self._db.session() as session:
            rows = session.scalars(
                select(Household)
                .where(*jurisdiction.clause(), match)
                .order_by(Household.household_no)
                .limit(min(max(limit, 1), MAX_PAGE_SIZE))
            ).all()
            items = [_summary(h) for h in rows]
            # The query itself may be a name: the record says only what kind of search it was.
            audit.record(
                session,
                actor=actor,
                action="search",
                household_nos=[h.household_no for h in items] or [None],
                detail=f"by={by} results={len(items)}",
            )
        return items

    def view(
        self,
        *,
        household_no: str,
        jurisdiction: Jurisdiction,
        actor: Actor,
    ) -> HouseholdStatus:
        """One household of the jurisdiction, whole; NotFound for any other (existing or not)."""
        with self._db.session() as session:
            household = self.find_in(session, household_no=household_no, jurisdiction=jurisdiction)
            status = self._status(session, household)
            audit.record(session, actor=actor, action="view", household_nos=[household.household_no])
        return status

    @staticmethod
    def find_in(session: Session, *, household_no: str, jurisdiction: Jurisdiction) -> Household:
        """The household with this 户编号 if it is in the jurisdiction; the same NotFound whether or not it exists."""
        household = session.scalar(
            select(Household).where(Household.household_no == household_no.strip(), *jurisdiction.clause())
        )
        if household is None:
            raise NotFound("no household with this number in your jurisdiction")
        return household

    # -- helpers -------------------------------------------------------------------------------------------
    def _status(self, session: Session, household: Household) -> HouseholdStatus:
        measure_names = self._measure_names()
        members = [
            MemberView(
                name=m.name,
                relation=m.relation,
                id_masked=m.id_masked,
                age=m.age,
                labor_capacity=m.labor_capacity,
                health=m.health,
                schooling=m.schooling,
            )
            for m in session.scalars(
                select(Member).where(Member.household_id == household.id).order_by(Member.position)
            )
        ]
        measures = [
            MeasureView(
                measure_id=m.measure_id,
                name=measure_names.get(m.measure_id),
                year=m.year,
                content=m.content,
                status=m.status,
            )
            for m in session.scalars(
                select(MeasureReceived)
                .where(MeasureReceived.household_id == household.id)
                .order_by(MeasureReceived.year.desc(), MeasureReceived.id)
            )
        ]
        partial = HouseholdStatus(
            household=_summary(household),
            helper_name=household.helper_name,
            helper_phone=household.helper_phone,
            members=members,
            measures=measures,
            payments=self._payments(session, household.id),
            summary="",
        )
        return replace(partial, summary=status_summary(partial))

    @staticmethod
    def _payments(session: Session, household_id: int) -> list[PaymentView]:
        return [
            PaymentView(
                item=p.item,
                amount=(Decimal(p.amount_fen) / 100).quantize(Decimal("0.01")),
                paid_on=p.paid_on,
                channel=p.channel,
                measure_id=p.measure_id,
            )
            for p in session.scalars(
                select(Payment)
                .where(Payment.household_id == household_id)
                .order_by(Payment.paid_on.desc(), Payment.id.desc())
            )
        ]

    # -- import ---------------------------------------------------------------------------------------------
    def import_batch(self, batch: HouseholdBatch) -> ImportResult:
        """Upsert the batch by 户编号 in one transaction; ImportRejected (nothing written) on any problem.

        For every kind of sheet present, the stored rows of that kind are replaced for each household the
        batch names (in its households sheet or in that sheet), so importing the same file twice changes
        nothing and a corrected export replaces what it corrects.
        """
        problems = duplicate_problems(batch)
        if problems:
            raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported", problems)
        seen = {r.household_no for r in batch.households}
        now = utcnow()
        child_rows: list[MemberRow | MeasureRow | PaymentRow] = [
            *batch.members,
            *batch.measures,
            *batch.payments,
        ]
        with self._db.session() as session:
            ids = self._ids(session, sorted(set(seen) | {r.household_no for r in child_rows}))
            existing = set(ids)
            problems = [
                f"{r.where}: 户编号 is neither in the households sheet nor already stored"
                for r in child_rows
                if r.household_no not in seen and r.household_no not in existing
            ]
            if problems:
                raise ImportRejected(
                    f"{len(problems)} problem(s) in the file; nothing was imported", problems
                )

            new_rows = [
                self._household_values(r, now) for r in batch.households if r.household_no not in existing
            ]
            bulk_insert(session, _HOUSEHOLDS, new_rows)
            ids.update(self._ids(session, [r["household_no"] for r in new_rows]))
            updates = [
                {"row_id": ids[r.household_no], **self._household_values(r, now)}
                for r in batch.households
                if r.household_no in existing
            ]
            if updates:
                session.execute(
                    _HOUSEHOLDS.update()
                    .where(_HOUSEHOLDS.c.id == bindparam("row_id"))
                    .values({k: bindparam(k) for k in updates[0] if k != "row_id"}),
                    updates,
                )

            kinds: tuple[
                tuple[str, type[Base], Sequence[Any], Callable[[Any, int, int], dict[str, Any]]], ...
            ] = (
                ("members", Member, batch.members, self._member_values),
                ("measures", MeasureReceived, batch.measures, self._measure_values),
                ("payments", Payment, batch.payments, self._payment_values),
            )
            counts: dict[str, int] = {}
            for kind, model, rows, values in kinds:
                if kind not in batch.kinds:
                    continue
                touched = sorted({ids[no] for no in seen} | {ids[r.household_no] for r in rows})
                for chunk in _chunks(touched):
                    session.execute(delete(model).where(model.household_id.in_(chunk)))  # type: ignore[attr-defined]
                positions: dict[str, int] = defaultdict(int)
                values_list = []
                for r in rows:
                    positions[r.household_no] += 1
                    values_list.append(values(r, ids[r.household_no], positions[r.household_no]))
                bulk_insert(session, cast(Table, model.__table__), values_list)
                counts[kind] = len(values_list)
        result = ImportResult(
            created=len(new_rows),
            updated=len(updates),
            members=counts.get("members", 0),
            measures=counts.get("measures", 0),
            payments=counts.get("payments", 0),
        )
        logger.info(
            "imported households: %d created, %d updated, %d members, %d measures, %d payments",
            result.created,
            result.updated,
            result.members,
            result.measures,
            result.payments,
        )
        return result

    @staticmethod
    def _ids(session: Session, household_nos: Sequence[str]) -> dict[str, int]:
        """户编号 → row id of those stored."""
        query = select(Household.household_no, Household.id)
        if not household_nos:
            return {}
        if len(household_nos) > _CHUNK:
            # One pass over the table beats many IN lists (whose plans go wrong on rows inserted in
            # this very transaction, before statistics exist).
            wanted = set(household_nos)
            return {no: id_ for no, id_ in session.execute(query) if no in wanted}
        return dict(session.execute(query.where(Household.household_no.in_(household_nos))).all())

    def _household_values(self, r: HouseholdRow, now: datetime) -> dict[str, Any]:
        return {
            "household_no": r.household_no,
            "township": r.township,
            "village": r.village,
            "group_name": r.group_name,
            "head_name": r.head_name,
            "phone_hash": self._hasher.phone_hash(r.phone) if r.phone else None,
            "phone_masked": mask_phone(r.phone) if r.phone else None,
            "household_type": r.household_type,
            "monitoring_type": r.monitoring_type,
            "risk_level": r.risk_level,
            "size": r.size,
            "helper_name": r.helper_name,
            "helper_phone": r.helper_phone,
            "data_as_of": r.data_as_of,
            "updated_at": now,
        }

    def _member_values(self, r: MemberRow, household_id: int, position: int) -> dict[str, Any]:
        age = r.age
        if age is None:
            born, today = birth_date_of(r.id_number), date.today()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return {
            "household_id": household_id,
            "position": position,
            "name": r.name,
            "relation": r.relation,
            "id_hash": self._hasher.id_hash(r.id_number),
            "id_masked": mask_id_number(r.id_number),
            "id_last4": r.id_number[-4:],
            "age": age,
            "labor_capacity": r.labor_capacity,
            "health": r.health,
            "schooling": r.schooling,
        }

    @staticmethod
    def _measure_values(r: MeasureRow, household_id: int, _position: int) -> dict[str, Any]:
        return {
            "household_id": household_id,
            "measure_id": r.measure_id,
            "year": r.year,
            "content": r.content,
            "status": r.status,
        }

    @staticmethod
    def _payment_values(r: PaymentRow, household_id: int, _position: int) -> dict[str, Any]:
        return {
            "household_id": household_id,
            "item": r.item,
            "amount_fen": int(r.amount * 100),
            "paid_on": r.paid_on,
            "channel": r.channel,
            "measure_id": r.measure_id,
        }

    def count(self) -> int:
        """How many households are stored."""
        with self._db.read_session() as session:
            return session.scalar(select(func.count()).select_from(Household)) or 0
