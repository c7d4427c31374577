"""Curated answers (标准答案): a question, its other phrasings, the answer a cadre wrote and the verbatim quotes
that back it, kept in the database so every replica serves the same ones.

Checking a draft against the documents and matching questions to entries is the answers area's work
(core/answers/curated.py); this module only stores, lists and counts::

    store = CuratedStore(db, cache_seconds=2.0)
    entry = store.create(CuratedDraft("低保每月多少钱", (), "每人每月…[1]", (("doc", "quote"),)), actor=actor)
    store.entries()            # every entry (cached for `cache_seconds`; a write here clears the cache)
    store.record_use(entry.id) # one more villager got it
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.errors import NotFound
from core.records import audit
from core.records.audit import Actor
from core.records.db import Base, Database, UTCDateTime, rowcount, utcnow
from core.records.pii import mask_text

MAX_QUESTION = 200
MAX_ANSWER = 2000
MAX_QUOTE = 1000


class CuratedAnswerRow(Base):
    """One curated answer; `citations` is a list of {"doc_id", "quote"}."""

    __tablename__ = "curated_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(MAX_QUESTION))
    phrasings: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(String(MAX_ANSWER))
    citations: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uses: Mapped[int] = mapped_column(Integer, default=0)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class CuratedDraft:
    """What a cadre writes: the question, other phrasings, the answer and its (doc_id, quote) pairs."""

    question: str
    phrasings: tuple[str, ...]
    answer: str
    citations: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CuratedEntry:
    """A stored curated answer."""

    id: int
    question: str
    phrasings: tuple[str, ...]
    answer: str
    citations: tuple[tuple[str, str], ...]
    created_by: str
    created_at: datetime
    updated_at: datetime
    uses: int
    last_used_at: datetime | None

    @property
    def questions(self) -> tuple[str, ...]:
        """The question and its other phrasings."""
        return (self.question, *self.phrasings)


def _entry(row: CuratedAnswerRow) -> CuratedEntry:
    return CuratedEntry(
        id=row.id,
        question=row.question,
        phrasings=tuple(row.phrasings or ()),
        answer=row.answer,
        citations=tuple((str(c["doc_id"]), str(c["quote"])) for c in row.citations or ()),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        uses=row.uses,
        last_used_at=row.last_used_at,
    )


def _clean(draft: CuratedDraft) -> dict[str, object]:
    # Questions may be copied from villagers' own words: ID and phone numbers never get stored.
    phrasings = [mask_text(p.strip())[:MAX_QUESTION] for p in draft.phrasings if p.strip()]
    return {
        "question": mask_text(draft.question.strip())[:MAX_QUESTION],
        "phrasings": list(dict.fromkeys(phrasings)),
        "answer": draft.answer.strip()[:MAX_ANSWER],
        "citations": [{"doc_id": d, "quote": q} for d, q in draft.citations],
    }


class CuratedStore:
    """Curated answers in the records database; `entries()` is cached briefly for the answer path."""

    def __init__(self, db: Database, *, cache_seconds: float = 2.0) -> None:
        self._db = db
        self._cache_seconds = cache_seconds
        self._cache: tuple[float, list[CuratedEntry]] | None = None
        self._lock = threading.Lock()

    def _forget(self) -> None:
        with self._lock:
            self._cache = None

    def entries(self, *, fresh: bool = False) -> list[CuratedEntry]:
        """Every curated answer (other replicas' changes show within `cache_seconds` unless `fresh`)."""
        now = time.monotonic()
        cached = self._cache
        if not fresh and cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        with self._db.read_session() as session:
            rows = [
                _entry(r) for r in session.scalars(select(CuratedAnswerRow).order_by(CuratedAnswerRow.id))
            ]
        with self._lock:
            self._cache = (now, rows)
        return rows

    def get(self, entry_id: int) -> CuratedEntry:
        with self._db.read_session() as session:
            row = session.get(CuratedAnswerRow, entry_id)
            if row is None:
                raise NotFound(f"no curated answer {entry_id}")
            return _entry(row)

    def create(self, draft: CuratedDraft, *, actor: Actor) -> CuratedEntry:
        now = utcnow()
        with self._db.session() as session:
            row = CuratedAnswerRow(
                **_clean(draft),
                created_by=actor.who,
                created_at=now,
                updated_by=actor.who,
                updated_at=now,
                uses=0,
            )
            session.add(row)
            session.flush()
            audit.record(session, actor=actor, action="curated_create", detail=f"curated={row.id}")
            entry = _entry(row)
        self._forget()
        return entry

    def update(self, entry_id: int, draft: CuratedDraft, *, actor: Actor) -> CuratedEntry:
        with self._db.session() as session:
            row = session.get(CuratedAnswerRow, entry_id, with_for_update=True)
            if row is None:
                raise NotFound(f"no curated answer {entry_id}")
            for key, value in _clean(draft).items():
                setattr(row, key, value)
            row.updated_by, row.updated_at = actor.who, utcnow()
            audit.record(session, actor=actor, action="curated_update", detail=f"curated={entry_id}")
            session.flush()
            entry = _entry(row)
        self._forget()
        return entry

    def delete(self, entry_id: int, *, actor: Actor) -> None:
        with self._db.session() as session:
            row = session.get(CuratedAnswerRow, entry_id)
            if row is None:
                raise NotFound(f"no curated answer {entry_id}")
            session.delete(row)
            audit.record(session, actor=actor, action="curated_delete", detail=f"curated={entry_id}")
        self._forget()

    def record_use(self, entry_id: int) -> None:
        """Count one answer served from this entry (an atomic increment: replicas do not lose counts)."""
        with self._db.session() as session:
            rowcount(
                session.execute(
                    update(CuratedAnswerRow)
                    .where(CuratedAnswerRow.id == entry_id)
                    .values(uses=CuratedAnswerRow.uses + 1, last_used_at=utcnow())
                )
            )


def draft_of(
    question: str, phrasings: Sequence[str], answer: str, citations: Sequence[tuple[str, str]]
) -> CuratedDraft:
    return CuratedDraft(question, tuple(phrasings), answer, tuple(citations))
