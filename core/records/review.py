"""What unanswered questions and negative feedback share at the workbench: where the asker is bound, who may
review a row, grouping alike questions, and marking rows handled.

Rows carry the township and village of the asking chat user's binding (a household's, or a village or township
cadre's own). A village cadre reviews what their village's bound users asked, a township cadre their township's;
rows with no place (unbound villagers, portals, county cadres) are the county's: county cadres and admins review
everything. Names of people in questions are masked on the way out (core/records/names.py), as ID and phone
numbers are masked on the way in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import ColumnElement

from core.errors import InvalidInput
from core.records import audit
from core.records.audit import Actor
from core.records.db import Database, UTCDateTime, rowcount, utcnow
from core.records.households import Jurisdiction
from core.records.names import mask_names
from core.records.pii import mask_text
from core.text import tokenize

RESOLUTIONS = ("curated", "other_office", "dismissed")
GROUP_SIMILARITY = 0.5  # token-set overlap (Jaccard) that puts a question into a group
MAX_EXAMPLES = 5


class Resolvable:
    """Columns of a reviewable row: the asker's place, and how the row was handled."""

    township: Mapped[str | None] = mapped_column(String(50), index=True)
    village: Mapped[str | None] = mapped_column(String(50))
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolution_note: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(120))


def visible(model: Any, scope: Jurisdiction) -> list[ColumnElement[bool]]:
    """WHERE conditions: the rows a reviewer with jurisdiction `scope` may see."""
    conds: list[ColumnElement[bool]] = []
    if scope.township is not None:
        conds.append(model.township == scope.township)
    if scope.village is not None:
        conds.append(model.village == scope.village)
    return conds


def resolve_rows(
    db: Database,
    model: Any,
    ids: Sequence[int],
    *,
    scope: Jurisdiction,
    resolution: str,
    note: str,
    actor: Actor,
) -> int:
    """Mark the rows of `ids` that `scope` may see as handled; returns how many were marked."""
    if resolution not in RESOLUTIONS:
        raise InvalidInput(f"resolution is one of {', '.join(RESOLUTIONS)}")
    if not ids:
        return 0
    with db.session() as session:
        done = rowcount(
            session.execute(
                update(model)
                .where(model.id.in_(list(ids)), *visible(model, scope))
                .values(
                    resolution=resolution,
                    resolution_note=mask_text(note.strip())[:200] or None,
                    resolved_at=utcnow(),
                    resolved_by=actor.who,
                )
            )
        )
        audit.record(
            session, actor=actor, action=f"review_{model.__tablename__}"[:30], detail=f"{resolution} n={done}"
        )
    return done


@dataclass
class QuestionGroup:
    """Alike questions: the newest as the group's face, how many, when last asked, why unanswered."""

    ids: list[int]
    question: str
    count: int
    last_asked: datetime
    reasons: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)


def _similar(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


def group_questions(rows: Sequence[tuple[int, datetime, str, str, str | None]]) -> list[QuestionGroup]:
    """Greedy grouping of (id, at, question, reason, place) rows, newest first, by token overlap with each
    group's first question; biggest groups first, then the most recently asked."""
    groups: list[tuple[set[str], QuestionGroup]] = []
    for row_id, at, question, reason, place in rows:
        words = set(tokenize(question)) or {question}
        target = next((g for w, g in groups if _similar(words, w) >= GROUP_SIMILARITY), None)
        shown = mask_names(question)
        if target is None:
            target = QuestionGroup(ids=[], question=shown, count=0, last_asked=at)
            groups.append((words, target))
        target.ids.append(row_id)
        target.count += 1
        target.last_asked = max(target.last_asked, at)
        target.reasons[reason] = target.reasons.get(reason, 0) + 1
        if shown not in target.examples and len(target.examples) < MAX_EXAMPLES:
            target.examples.append(shown)
        if place and place not in target.places:
            target.places.append(place)
    out = [g for _, g in groups]
    out.sort(key=lambda g: (-g.count, -g.last_asked.timestamp()))
    return out
