"""The append-only audit log: who read or changed which household's data, in what role, through what channel.

Records are written in the same transaction as the read they describe, so a read that is served is a read
that is recorded. They hold the household number and short non-personal details — never a name, an ID or
phone number, or an amount. The table refuses UPDATE and DELETE (triggers on SQLite and PostgreSQL)::

    with db.session() as session:
        household = ...                              # the read
        record(session, actor=actor, action="status", household_nos=[household.household_no])
    export_csv(db, since=date(2024, 1, 1), out=sys.stdout)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TextIO

from sqlalchemy import BigInteger, Integer, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.records.db import Base, Database, UTCDateTime, utcnow
from core.records.pii import mask_text

CSV_COLUMNS = ("id", "at", "role", "actor", "channel", "household_no", "action", "detail")


@dataclass(frozen=True)
class Actor:
    """Who does something: `role` household | cadre | admin; `who` e.g. ``chat:42`` or ``cadre:7/chat:42``."""

    role: str
    who: str
    channel: str


CLI_ADMIN = Actor(role="admin", who="admin:cli", channel="cli")


class AuditRecord(Base):
    """One audited access. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    role: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(50))
    household_no: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(String(200))


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    household_nos: Iterable[str | None] = (None,),
    detail: str | None = None,
) -> int:
    """Append one record per household (one with no household when none is given); returns how many."""
    at = utcnow()
    # Details are composed by our code from non-personal values; masking is a second line of defence.
    safe_detail = mask_text(detail)[:200] if detail else None
    rows = [
        {
            "at": at,
            "role": actor.role,
            "actor": actor.who[:120],
            "channel": actor.channel[:50],
            "household_no": no,
            "action": action,
            "detail": safe_detail,
        }
        for no in household_nos
    ]
    if rows:
        session.execute(insert(AuditRecord), rows)
    return len(rows)


def export_csv(db: Database, *, since: date, out: TextIO, until: date | None = None) -> int:
    """Write the records from `since` (inclusive, UTC) up to `until` (exclusive) as CSV; returns the count."""
    start = datetime.combine(since, time.min, tzinfo=UTC)
    query = select(AuditRecord).where(AuditRecord.at >= start).order_by(AuditRecord.id)
    if until is not None:
        query = query.where(AuditRecord.at < datetime.combine(until, time.min, tzinfo=UTC))
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    with db.read_session() as session:
        for rec in session.scalars(query.execution_options(yield_per=1000)):
            writer.writerow(
                (
                    rec.id,
                    rec.at.isoformat(timespec="seconds"),
                    rec.role,
                    rec.actor,
                    rec.channel,
                    rec.household_no or "",
                    rec.action,
                    rec.detail or "",
                )
            )
            count += 1
    return count
