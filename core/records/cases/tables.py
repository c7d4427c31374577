"""The case tables: hardship reports worked as cases, their steps, attachments, and the notification outbox.

Attachments (photos of bills, voice notes) are stored in the database so every API replica serves the same
files. The reporter's phone, when an unbound chat user reports, is kept only as a keyed hash and a masked form.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.records.db import Base, UTCDateTime

BIGINT = BigInteger().with_variant(Integer, "sqlite")


class Case(Base):
    """One reported hardship, worked through the procedure."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_area", "township", "village"),
        Index("ix_cases_household_category", "household_id", "category", "created_at"),
        Index("ix_cases_reporter", "reporter_channel", "reporter_chat_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(24), unique=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    township: Mapped[str] = mapped_column(String(50))
    village: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    amount_range: Mapped[str] = mapped_column(String(10))
    urgent: Mapped[bool] = mapped_column(Boolean)
    on_behalf: Mapped[bool] = mapped_column(Boolean)
    reporter_channel: Mapped[str] = mapped_column(String(50))
    reporter_chat_user_id: Mapped[str] = mapped_column(String(64))
    reporter_phone_hash: Mapped[str | None] = mapped_column(String(64))
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), index=True)
    resume_status: Mapped[str | None] = mapped_column(String(20))  # where a returned case goes back to
    due: Mapped[date | None] = mapped_column(Date)
    monitoring_type: Mapped[str | None] = mapped_column(String(20))
    risk_level: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseStep(Base):
    """One step of a case: who did what when, with a note; the history the household and cadres read."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # the status the case was left in
    actor_role: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date)  # the deadline of the step that follows
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseAttachment(Base):
    """A photo or voice note of a case, in the database (replicas share it); served to its cadres only."""

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("case_steps.id", ondelete="SET NULL"))
    uploaded_by: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseNotification(Base):
    """A message waiting for a channel to deliver to one of its chat users (the outbox).

    A channel claims pending rows (leased for a while, so two pollers do not both send one) and acknowledges
    them once sent; an unacknowledged row is claimed again after its lease.
    """

    __tablename__ = "case_notifications"
    __table_args__ = (Index("ix_case_notifications_pending", "channel", "delivered_at", "leased_until"),)

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    channel: Mapped[str] = mapped_column(String(50))
    chat_user_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
