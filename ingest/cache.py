"""The ingest job's own state: vectors by content hash, and the last good catalog and glossary.

Owned by the ingest job alone (the API never opens it), so embedding is idempotent: a chunk whose text and
model are unchanged is never embedded twice.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np


class IngestCache:
    """SQLite file of vectors keyed by (model id, text hash) and of last-good JSON values."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model_id TEXT, text_hash TEXT, dim INTEGER, vec BLOB,"
            " PRIMARY KEY (model_id, text_hash))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)")
        self._db.commit()

    def get_vectors(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """Cached vectors for the given text hashes (missing ones are absent)."""
        found: dict[str, np.ndarray] = {}
        for lo in range(0, len(hashes), 500):
            part = hashes[lo : lo + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT text_hash, dim, vec FROM vectors WHERE model_id = ? AND text_hash IN ({marks})",
                [model_id, *part],
            )
            for text_hash, dim, blob in rows:
                found[text_hash] = np.frombuffer(blob, dtype=np.float32, count=dim).copy()
        return found

    def put_vectors(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
            [
                (model_id, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                for h, v in items.items()
            ],
        )
        self._db.commit()

    def get_json(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_json(self, key: str, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO kv VALUES (?, ?)",
            (key, json.dumps(value, ensure_ascii=False, default=str)),
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
