"""`HouseholdRecords`: reads of household records, each audited in its own transaction, and the import."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.errors import InvalidInput, NotFound
from core.records import audit
from core.records.audit import Actor
from core.records.db import Database
from core.records.households.imports import HouseholdBatch, ImportResult, import_batch
from core.records.households.jurisdiction import Jurisdiction
from core.records.households.summaries import payments_summary, status_summary
from core.records.households.tables import Household, MeasureReceived, Member, Payment
from core.records.households.views import (
    HouseholdFacts,
    HouseholdPage,
    HouseholdStatus,
    HouseholdSummary,
    MeasureView,
    MemberFacts,
    MemberView,
    PaymentsAnswer,
    PaymentView,
)
from core.records.pii import PiiHasher

MAX_PAGE_SIZE = 100

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
        return import_batch(self._db, self._hasher, batch)

    def count(self) -> int:
        """How many households are stored."""
        with self._db.read_session() as session:
            return session.scalar(select(func.count()).select_from(Household)) or 0
