"""The log of 有用/没用 votes on answers, for reviewing which answers help villagers and which do not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.records.audit import Actor
from core.records.db import Base, Database, UTCDateTime, utcnow
from core.records.households import Jurisdiction
from core.records.legacy import import_jsonl_once
from core.records.names import mask_names
from core.records.pii import mask_text
from core.records.review import Resolvable, resolve_rows, visible

MAX_QUESTION = 500
MAX_ANSWER = 2000
MAX_DOC_IDS = 20
MAX_CLIENT = 50


class AnswerFeedback(Resolvable, Base):
    """One vote on an answer: the question (ID and phone numbers masked), the verdict, the cited documents, the
    answer voted on (when the client sent it) and where the voter is bound (core/records/review.py)."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    question: Mapped[str] = mapped_column(String(MAX_QUESTION))
    helpful: Mapped[bool]
    doc_ids: Mapped[list[str]] = mapped_column(JSON)
    client: Mapped[str | None] = mapped_column(String(MAX_CLIENT))
    answer: Mapped[str | None] = mapped_column(String(MAX_ANSWER))


@dataclass(frozen=True)
class FeedbackItem:
    """A vote as the workbench shows it: names in the question masked."""

    id: int
    time: datetime
    question: str
    helpful: bool
    answer: str | None
    doc_ids: list[str]
    place: str | None
    resolution: str | None
    resolution_note: str | None


def _doc_ids(doc_ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(doc_ids))[:MAX_DOC_IDS]


def _legacy_row(entry: dict[str, Any]) -> dict[str, Any]:
    # Entries were masked when written; masking again costs nothing and guards against older writers.
    at = datetime.fromisoformat(entry["time"])
    client = entry.get("client")
    return {
        "at": at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC),
        "question": mask_text(str(entry["question"]))[:MAX_QUESTION],
        "helpful": bool(entry["helpful"]),
        "doc_ids": _doc_ids([str(d) for d in entry.get("doc_ids") or []]),
        "client": str(client)[:MAX_CLIENT] if client is not None else None,
    }


class FeedbackLog:
    """Answer feedback in the records database; questions are masked and capped before storing."""

    def __init__(self, db: Database, *, legacy_file: Path | None = None) -> None:
        """`legacy_file`: the JSON-lines log of an earlier version, imported once if it is there."""
        self._db = db
        if legacy_file is not None:
            import_jsonl_once(db, legacy_file, AnswerFeedback, _legacy_row)

    def record(
        self,
        *,
        question: str,
        helpful: bool,
        doc_ids: Sequence[str] = (),
        client: str | None = None,
        answer: str | None = None,
        where: Jurisdiction | None = None,
    ) -> None:
        """Store one vote: the question (ID and phone numbers masked), the verdict, the cited documents, the
        answer voted on, and the township or village of the voter's binding."""
        with self._db.session() as session:
            session.add(
                AnswerFeedback(
                    at=utcnow().replace(microsecond=0),
                    question=mask_text(question.strip())[:MAX_QUESTION],
                    helpful=bool(helpful),
                    doc_ids=_doc_ids(doc_ids),
                    client=client[:MAX_CLIENT] if client is not None else None,
                    answer=mask_text(answer.strip())[:MAX_ANSWER] if answer else None,
                    township=where.township if where else None,
                    village=where.village if where else None,
                )
            )

    def review(
        self, *, scope: Jurisdiction, helpful: bool | None = False, open_only: bool = True, limit: int = 200
    ) -> list[FeedbackItem]:
        """Votes `scope` may review (by default the open 没用 ones), newest first, names masked."""
        query = select(AnswerFeedback).where(*visible(AnswerFeedback, scope))
        if helpful is not None:
            query = query.where(AnswerFeedback.helpful.is_(helpful))
        if open_only:
            query = query.where(AnswerFeedback.resolution.is_(None))
        query = query.order_by(AnswerFeedback.at.desc(), AnswerFeedback.id.desc()).limit(limit)
        with self._db.read_session() as session:
            return [
                FeedbackItem(
                    id=f.id,
                    time=f.at,
                    question=mask_names(f.question),
                    helpful=f.helpful,
                    answer=f.answer,
                    doc_ids=list(f.doc_ids),
                    place=f.village or f.township,
                    resolution=f.resolution,
                    resolution_note=f.resolution_note,
                )
                for f in session.scalars(query)
            ]

    def resolve(
        self, ids: Sequence[int], *, scope: Jurisdiction, resolution: str, note: str, actor: Actor
    ) -> int:
        """Mark votes handled (see core/records/review.py); only those `scope` may review. Returns how many."""
        return resolve_rows(
            self._db, AnswerFeedback, ids, scope=scope, resolution=resolution, note=note, actor=actor
        )

    def list(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, at most `limit`."""
        query = select(AnswerFeedback).order_by(AnswerFeedback.at.desc(), AnswerFeedback.id.desc())
        with self._db.read_session() as session:
            return [
                {
                    "time": f.at.isoformat(timespec="seconds"),
                    "question": f.question,
                    "helpful": f.helpful,
                    "doc_ids": list(f.doc_ids),
                    "client": f.client,
                }
                for f in session.scalars(query.limit(limit))
            ]
