"""The identity tables: API clients, cadre accounts, binding codes, chat bindings and failed binding attempts.

Codes, API keys and phone numbers are stored only as hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.records.db import Base, UTCDateTime


class ApiClient(Base):
    """A client of the API (portal, channel, admin) with its key's SHA-256.

    After a rotation the old key's hash stays in `previous_key_hash` until `previous_key_expires_at`.
    """

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_key_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    previous_key_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    allow_from: Mapped[list[str] | None] = mapped_column(JSON)


class Cadre(Base):
    """A cadre account (帮扶责任人, 驻村工作队, 村干部, 乡镇干部) and the households it looks after."""

    __tablename__ = "cadres"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    phone_hash: Mapped[str] = mapped_column(String(64))
    phone_masked: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(10))
    township: Mapped[str | None] = mapped_column(String(50))
    village: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BindingCode(Base):
    """A single-use code that binds a chat user to a household or a cadre account."""

    __tablename__ = "binding_codes"
    __table_args__ = (CheckConstraint("(household_id IS NULL) <> (cadre_id IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"), index=True)
    issued_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)


class ChatBinding(Base):
    """A chat user of a channel bound to a household or a cadre account."""

    __tablename__ = "chat_bindings"
    __table_args__ = (
        UniqueConstraint("channel", "chat_user_id"),
        CheckConstraint("(household_id IS NULL) <> (cadre_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(50))
    chat_user_id: Mapped[str] = mapped_column(String(64))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BindingFailure(Base):
    """A failed binding attempt, counted for the per-chat-user limit."""

    __tablename__ = "binding_failures"
    __table_args__ = (Index("ix_binding_failures_user", "channel", "chat_user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(50))
    chat_user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
