"""Append-only JSON-lines files in the data dir (unanswered questions, answer feedback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


class JsonLinesLog:
    """One JSON object per line; appends are serialised; a torn last line after a crash is skipped on read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as fh:
                if fh.tell() > 0:  # after a crash mid-write, start on a fresh line so this entry is kept
                    with open(self.path, "rb") as tail:
                        tail.seek(-1, 2)
                        if tail.read(1) != b"\n":
                            fh.write(b"\n")
                fh.write(line.encode("utf-8"))

    def read(
        self, *, limit: int, keep: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[dict[str, Any]]:
        """Entries newest first, at most `limit`, optionally only those `keep` accepts."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with open(self.path, encoding="utf-8") as fh:
            for raw in fh:
                try:
                    entry = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                if keep is None or keep(entry):
                    out.append(entry)
        return out[::-1][:limit]
