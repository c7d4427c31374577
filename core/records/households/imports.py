"""The import of a county export: validated rows, the batch one file makes, and its upsert in one transaction.

`ingest.households` parses a CSV or XLSX export into a `HouseholdBatch`; `import_batch` writes it (upsert by
户编号), or raises ImportRejected and writes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from core.errors import ImportRejected
from core.records.db import Base, Database, bulk_insert, utcnow
from core.records.households.tables import HOUSEHOLDS, Household, MeasureReceived, Member, Payment
from core.records.pii import PiiHasher, birth_date_of, mask_id_number, mask_phone

logger = logging.getLogger(__name__)

_CHUNK = 500


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


def import_batch(db: Database, hasher: PiiHasher, batch: HouseholdBatch) -> ImportResult:
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
    with db.session() as session:
        ids = _ids(session, sorted(set(seen) | {r.household_no for r in child_rows}))
        existing = set(ids)
        problems = [
            f"{r.where}: 户编号 is neither in the households sheet nor already stored"
            for r in child_rows
            if r.household_no not in seen and r.household_no not in existing
        ]
        if problems:
            raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported", problems)

        new_rows = [
            _household_values(hasher, r, now) for r in batch.households if r.household_no not in existing
        ]
        bulk_insert(session, HOUSEHOLDS, new_rows)
        ids.update(_ids(session, [r["household_no"] for r in new_rows]))
        updates = [
            {"row_id": ids[r.household_no], **_household_values(hasher, r, now)}
            for r in batch.households
            if r.household_no in existing
        ]
        if updates:
            session.execute(
                HOUSEHOLDS.update()
                .where(HOUSEHOLDS.c.id == bindparam("row_id"))
                .values({k: bindparam(k) for k in updates[0] if k != "row_id"}),
                updates,
            )

        kinds: tuple[
            tuple[str, type[Base], Sequence[Any], Callable[[Any, int, int], dict[str, Any]]], ...
        ] = (
            ("members", Member, batch.members, partial(_member_values, hasher)),
            ("measures", MeasureReceived, batch.measures, _measure_values),
            ("payments", Payment, batch.payments, _payment_values),
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


def _household_values(hasher: PiiHasher, r: HouseholdRow, now: datetime) -> dict[str, Any]:
    return {
        "household_no": r.household_no,
        "township": r.township,
        "village": r.village,
        "group_name": r.group_name,
        "head_name": r.head_name,
        "phone_hash": hasher.phone_hash(r.phone) if r.phone else None,
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


def _member_values(hasher: PiiHasher, r: MemberRow, household_id: int, position: int) -> dict[str, Any]:
    age = r.age
    if age is None:
        born, today = birth_date_of(r.id_number), date.today()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return {
        "household_id": household_id,
        "position": position,
        "name": r.name,
        "relation": r.relation,
        "id_hash": hasher.id_hash(r.id_number),
        "id_masked": mask_id_number(r.id_number),
        "id_last4": r.id_number[-4:],
        "age": age,
        "labor_capacity": r.labor_capacity,
        "health": r.health,
        "schooling": r.schooling,
    }


def _measure_values(r: MeasureRow, household_id: int, _position: int) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "measure_id": r.measure_id,
        "year": r.year,
        "content": r.content,
        "status": r.status,
    }


def _payment_values(r: PaymentRow, household_id: int, _position: int) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "item": r.item,
        "amount_fen": int(r.amount * 100),
        "paid_on": r.paid_on,
        "channel": r.channel,
        "measure_id": r.measure_id,
    }


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
