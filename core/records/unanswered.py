"""The log of questions the service could not answer, for cadres to review and the corpus to grow from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.records.audit import Actor
from core.records.db import Base, Database, UTCDateTime, utcnow
from core.records.households import Jurisdiction
from core.records.legacy import import_jsonl_once
from core.records.pii import mask_text
from core.records.review import QuestionGroup, Resolvable, group_questions, resolve_rows, visible
from core.text import normalize_query

MAX_QUESTION = 500
MAX_REASON = 20


class UnansweredQuestion(Resolvable, Base):
    """A question the service abstained on; ID-card and phone numbers masked. `township`/`village`: where the
    asking chat user is bound (NULL: not bound, or a county cadre: the county's to review)."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    question: Mapped[str] = mapped_column(String(MAX_QUESTION))
    reason: Mapped[str] = mapped_column(String(MAX_REASON))


def _legacy_row(entry: dict[str, Any]) -> dict[str, Any]:
    # Entries were masked when written; masking again costs nothing and guards against older writers.
    return {
        "at": _utc(datetime.fromisoformat(entry["time"])),
        "question": mask_text(str(entry["question"]))[:MAX_QUESTION],
        "reason": str(entry["reason"])[:MAX_REASON],
    }


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UnansweredLog:
    """Unanswered questions in the records database; questions are masked and capped before storing."""

    def __init__(self, db: Database, *, legacy_file: Path | None = None) -> None:
        """`legacy_file`: the JSON-lines log of an earlier version, imported once if it is there."""
        self._db = db
        if legacy_file is not None:
            import_jsonl_once(db, legacy_file, UnansweredQuestion, _legacy_row)

    def record(self, question: str, reason: str, where: Jurisdiction | None = None) -> None:
        """Store one question the service abstained on, with ID-card and phone numbers masked; `where`: the
        township or village of the asking chat user's binding."""
        with self._db.session() as session:
            session.add(
                UnansweredQuestion(
                    # Whole seconds, as the API has always shown them and `since` compares them.
                    at=utcnow().replace(microsecond=0),
                    question=mask_text(normalize_query(question))[:MAX_QUESTION],
                    reason=reason[:MAX_REASON],
                    township=where.township if where else None,
                    village=where.village if where else None,
                )
            )

    def groups(
        self,
        *,
        scope: Jurisdiction,
        since: datetime | None = None,
        open_only: bool = True,
        limit: int = 2000,
    ) -> list[QuestionGroup]:
        """The questions `scope` may review, grouped by similarity, biggest groups first (names masked)."""
        query = select(UnansweredQuestion).where(*visible(UnansweredQuestion, scope))
        if since is not None:
            query = query.where(UnansweredQuestion.at >= _utc(since))
        if open_only:
            query = query.where(UnansweredQuestion.resolution.is_(None))
        query = query.order_by(UnansweredQuestion.at.desc(), UnansweredQuestion.id.desc()).limit(limit)
        with self._db.read_session() as session:
            rows = [
                (q.id, q.at, q.question, q.reason, q.village or q.township) for q in session.scalars(query)
            ]
        return group_questions(rows)

    def resolve(
        self, ids: Sequence[int], *, scope: Jurisdiction, resolution: str, note: str, actor: Actor
    ) -> int:
        """Mark questions handled (`curated`: answered by a curated answer; `other_office`: another office's
        business, named in `note`); only those `scope` may review. Returns how many."""
        return resolve_rows(
            self._db, UnansweredQuestion, ids, scope=scope, resolution=resolution, note=note, actor=actor
        )

    def list(
        self, *, limit: int = 100, since: datetime | None = None, scope: Jurisdiction | None = None
    ) -> list[dict[str, Any]]:
        """Newest first, at most `limit`; only those at or after `since` (a naive time is taken as UTC), and only
        those a reviewer of `scope` may see."""
        query = select(UnansweredQuestion).where(*visible(UnansweredQuestion, scope or Jurisdiction.county()))
        if since is not None:
            query = query.where(UnansweredQuestion.at >= _utc(since))
        query = query.order_by(UnansweredQuestion.at.desc(), UnansweredQuestion.id.desc()).limit(limit)
        with self._db.read_session() as session:
            return [
                {"time": q.at.isoformat(timespec="seconds"), "question": q.question, "reason": q.reason}
                for q in session.scalars(query)
            ]
