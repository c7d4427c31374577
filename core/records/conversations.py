"""Conversation state for follow-up questions, in the database so every replica reads the same conversation.

A row holds what the answers area needs to read the next question in context (masked questions, the previous
turn's topic terms, document and measure ids) as JSON, never an answer or household data. A conversation
expires after `ttl` seconds without a turn; an expired row is never read and is purged from time to time::

    store = ConversationLog(db, ttl=1800)
    store.save("9f1c…", {"topic": ["小额信贷"]}, new=True)
    store.load("9f1c…")        # {"topic": ["小额信贷"]}; None when unknown or idle for over 30 minutes
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.records.db import Base, Database, UTCDateTime, rowcount, utcnow
from core.records.pii import mask_text

logger = logging.getLogger(__name__)

ID_LENGTH = 32


class Conversation(Base):
    """One conversation's state; `expires_at` moves forward with every turn."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON())


class ConversationLog:
    """Conversations in the records database: one primary-key read and one write per turn."""

    def __init__(self, db: Database, *, ttl: float) -> None:
        self._db = db
        self.ttl = ttl
        self._purged_at = 0.0
        self._lock = threading.Lock()

    def load(self, conversation_id: str) -> dict[str, Any] | None:
        """The state of a live conversation; None when the id is unknown or the conversation expired."""
        with self._db.read_session() as session:
            row = session.scalars(
                select(Conversation).where(
                    Conversation.id == conversation_id, Conversation.expires_at > utcnow()
                )
            ).first()
            return dict(row.state) if row is not None else None

    def save(self, conversation_id: str, state: Mapping[str, Any], *, new: bool) -> None:
        """Store a turn's state; `new`: the id was just issued (an insert), else the live row is updated."""
        expires = utcnow() + timedelta(seconds=self.ttl)
        state = _masked(state)
        with self._db.session() as session:
            if not new:
                result = session.execute(
                    update(Conversation)
                    .where(Conversation.id == conversation_id)
                    .values(expires_at=expires, state=dict(state))
                )
                if rowcount(result):
                    return
            # A new id, or a row purged between this turn's read and write: it starts again.
            session.add(Conversation(id=conversation_id, expires_at=expires, state=dict(state)))
        if new:
            self._purge_now_and_then()

    def purge(self) -> int:
        """Delete the expired conversations; how many went."""
        with self._db.session() as session:
            return rowcount(session.execute(delete(Conversation).where(Conversation.expires_at <= utcnow())))

    def _purge_now_and_then(self) -> None:
        # At most once per TTL per process, so the table stays the size of the live conversations without
        # a second write on every turn.
        now = time.monotonic()
        with self._lock:
            if now - self._purged_at < self.ttl:
                return
            self._purged_at = now
        try:
            gone = self.purge()
        except Exception:  # a failed purge must not fail the answer; the next one catches up
            logger.exception("could not purge expired conversations")
            return
        if gone:
            logger.info("purged %d expired conversations", gone)


def _masked(value: Any) -> Any:
    """`value` with ID-card and phone numbers masked in every string (questions, topic terms)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value
