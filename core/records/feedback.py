"""The log of 有用/没用 votes on answers, for reviewing which answers help villagers and which do not."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.records.db import Base, Database, UTCDateTime, utcnow
from core.records.legacy import import_jsonl_once
from core.records.pii import mask_text

MAX_QUESTION = 500
MAX_DOC_IDS = 20
MAX_CLIENT = 50


class AnswerFeedback(Base):
    """One vote on an answer: the question (ID and phone numbers masked), the verdict, the cited documents."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    question: Mapped[str] = mapped_column(String(MAX_QUESTION))
    helpful: Mapped[bool]
    doc_ids: Mapped[list[str]] = mapped_column(JSON)
    client: Mapped[str | None] = mapped_column(String(MAX_CLIENT))


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
        self, *, question: str, helpful: bool, doc_ids: Sequence[str] = (), client: str | None = None
    ) -> None:
        """Store one vote: the question (ID and phone numbers masked), the verdict and the cited documents."""
        with self._db.session() as session:
            session.add(
                AnswerFeedback(
                    at=utcnow().replace(microsecond=0),
                    question=mask_text(question.strip())[:MAX_QUESTION],
                    helpful=bool(helpful),
                    doc_ids=_doc_ids(doc_ids),
                    client=client[:MAX_CLIENT] if client is not None else None,
                )
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
