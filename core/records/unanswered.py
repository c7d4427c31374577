"""The log of questions the service could not answer, for cadres to review and the corpus to grow from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.records.jsonlog import JsonLinesLog
from core.records.pii import mask_text
from core.text import normalize_query


class UnansweredLog:
    """Append-only JSON-lines file in the data dir; questions are masked and capped before storing."""

    def __init__(self, path: Path) -> None:
        self._log = JsonLinesLog(path)

    def record(self, question: str, reason: str) -> None:
        """Append one question the service abstained on, with ID-card and phone numbers masked."""
        self._log.append(
            {
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "question": mask_text(normalize_query(question))[:500],
                "reason": reason,
            }
        )

    def list(self, *, limit: int = 100, since: datetime | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        if since is None:
            return self._log.read(limit=limit)
        after = since
        return self._log.read(limit=limit, keep=lambda e: datetime.fromisoformat(e["time"]) >= after)
