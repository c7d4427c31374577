"""A one-time import of the JSON-lines logs earlier versions kept in a replica's data dir.

Unanswered questions and answer feedback were appended to ``unanswered.jsonl`` and ``feedback.jsonl``; they now
live in the database (DESIGN.md "Shared state"). When a log opens, an old file is imported once::

    imported = import_jsonl_once(db, data_dir / "unanswered.jsonl", UnansweredQuestion, to_row)

Why it cannot import twice, even with several replicas starting at once on a shared data dir:

1. The file is claimed by an atomic rename to a name of this process's own (``….importing-<token>``); a replica
   that loses the race finds nothing to claim. Claims a crashed process left behind are claimed again.
2. The entries and a marker row (file name, SHA-256 of its bytes) go in in one transaction. The marker's
   primary key refuses a second import of the same bytes, whoever claimed them; a crash before the commit
   leaves the claim for the next start.
3. After the commit the claim is renamed ``….imported`` and kept, for the record.

Lines that are not a JSON object with the fields an entry needs (a torn last line after a crash) are skipped,
as the old reader skipped them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, String, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.records.db import Base, Database, UTCDateTime, utcnow

logger = logging.getLogger(__name__)

CLAIMED = ".importing-"
IMPORTED = ".imported"


class LegacyImport(Base):
    """A JSON-lines file already imported, by name and content hash, so that it is never imported twice."""

    __tablename__ = "legacy_imports"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    entries: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


def read_entries(
    raw: bytes, to_row: Callable[[dict[str, Any]], dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The rows of the file's entries in file order, and how many lines were skipped."""
    rows: list[dict[str, Any]] = []
    skipped = 0
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise TypeError("not an object")
            rows.append(to_row(entry))
        except (ValueError, TypeError, KeyError, AttributeError):  # a torn or foreign line
            skipped += 1
    return rows, skipped


def import_jsonl_once(
    db: Database, path: Path, model: type[Base], to_row: Callable[[dict[str, Any]], dict[str, Any]]
) -> int:
    """Import the JSON-lines file at `path` (and any claim a crashed start left) into `model`'s table.

    `to_row` turns one entry into the table's column values, raising KeyError, ValueError or TypeError for an
    entry it cannot use. Returns how many entries this process imported (0 when there was nothing to do).
    """
    imported = 0
    for candidate in [path, *sorted(path.parent.glob(path.name + CLAIMED + "*"))]:
        claim = path.with_name(path.name + CLAIMED + secrets.token_hex(8))
        try:
            candidate.rename(claim)
        except FileNotFoundError:  # none, or another replica claimed it first
            continue
        imported += _import_claim(db, claim, path.name, model, to_row)
    return imported


def _import_claim(
    db: Database,
    claim: Path,
    name: str,
    model: type[Base],
    to_row: Callable[[dict[str, Any]], dict[str, Any]],
) -> int:
    try:
        raw = claim.read_bytes()
    except FileNotFoundError:  # another replica starting at the same time took it over as a stale claim
        return 0
    digest = hashlib.sha256(raw).hexdigest()
    rows, skipped = read_entries(raw, to_row)
    done = 0
    try:
        with db.session() as session:
            if session.get(LegacyImport, (name, digest)) is None:
                if rows:
                    session.execute(insert(model), rows)
                session.add(
                    LegacyImport(
                        name=name, sha256=digest, entries=len(rows), skipped=skipped, imported_at=utcnow()
                    )
                )
                session.flush()
                done = len(rows)
    except IntegrityError:  # another replica committed the same file's marker first (PostgreSQL)
        done = 0
    if done or skipped:
        logger.info("imported %d entries (%d lines skipped) from %s", done, skipped, name)
    _archive(claim, name, digest)
    return done


def _archive(claim: Path, name: str, digest: str) -> None:
    """Rename an imported claim to ``<name>.imported`` (or with its hash, when that name is taken); keep it."""
    target = claim.with_name(name + IMPORTED)
    if target.exists():
        target = claim.with_name(f"{name}{IMPORTED}-{digest[:12]}")
    with contextlib.suppress(FileNotFoundError):  # another replica re-claimed it; its marker check skips it
        claim.replace(target)
