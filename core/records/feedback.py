"""The log of 有用/没用 votes on answers, for reviewing which answers help villagers and which do not."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.records.jsonlog import JsonLinesLog
from core.records.pii import mask_text

MAX_QUESTION = 500
MAX_DOC_IDS = 20


class FeedbackLog:
    """Append-only JSON-lines file in the data dir; questions are masked and capped before storing."""

    def __init__(self, path: Path) -> None:
        self._log = JsonLinesLog(path)

    def record(
        self, *, question: str, helpful: bool, doc_ids: Sequence[str] = (), client: str | None = None
    ) -> None:
        """Append one vote: the question (ID and phone numbers masked), the verdict and the cited documents."""
        self._log.append(
            {
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "question": mask_text(question.strip())[:MAX_QUESTION],
                "helpful": bool(helpful),
                "doc_ids": list(dict.fromkeys(doc_ids))[:MAX_DOC_IDS],
                "client": client,
            }
        )

    def list(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first."""
        return self._log.read(limit=limit)
