"""The household tables: households, their members, the measures they received and the payments made to them.

ID-card and phone numbers are never stored: a keyed hash for matching and a masked form for display
(see `core.records.pii`). Amounts are kept in fen, exact on every database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from core.records.db import Base, UTCDateTime


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


HOUSEHOLDS = cast(Table, Household.__table__)
