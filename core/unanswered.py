"""The log of questions the service could not answer, for cadres to review and the corpus to grow from."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.text import normalize_query

_ID = re.compile(r"(?<!\d)(\d{3})\d{11}(\d{3}[\dXx])(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_numbers(text: str) -> str:
    """Mask ID-card and mobile numbers a villager may have typed into a question."""
    text = _ID.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class UnansweredLog:
    """Append-only JSON-lines file in the data dir; questions are masked and capped before storing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, question: str, reason: str) -> None:
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "question": mask_numbers(normalize_query(question))[:500],
            "reason": reason,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)

    def list(self, *, limit: int = 100, since: datetime | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with open(self.path, encoding="utf-8") as fh:
            for raw in fh:
                try:
                    entry = json.loads(raw)
                except json.JSONDecodeError:
                    continue  # a torn last line after a crash
                if since and datetime.fromisoformat(entry["time"]) < since:
                    continue
                out.append(entry)
        return out[::-1][:limit]
