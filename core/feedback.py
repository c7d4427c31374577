"""The log of 有用/没用 votes on answers, for reviewing which answers help villagers and which do not."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.pii import mask_text

MAX_QUESTION = 500
MAX_DOC_IDS = 20


class FeedbackLog:
    """Append-only JSON-lines file in the data dir; questions are masked and capped before storing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(
        self, *, question: str, helpful: bool, doc_ids: Sequence[str] = (), client: str | None = None
    ) -> None:
        """Append one vote: the question (ID and phone numbers masked), the verdict and the cited documents."""
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "question": mask_text(question.strip())[:MAX_QUESTION],
            "helpful": bool(helpful),
            "doc_ids": list(dict.fromkeys(doc_ids))[:MAX_DOC_IDS],
            "client": client,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)

    def list(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with open(self.path, encoding="utf-8") as fh:
            for raw in fh:
                try:
                    out.append(json.loads(raw))
                except json.JSONDecodeError:
                    continue  # a torn last line after a crash
        return out[::-1][:limit]
