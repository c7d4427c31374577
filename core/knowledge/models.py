"""Plain value objects shared by the core services and the edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about one policy document besides its text."""

    doc_id: str
    title: str
    source: str
    doc_number: str | None = None
    issuer: str | None = None
    issued: date | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    region: str | None = None
    category: str | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    trial: bool = False  # 试行: issued for trial

    def in_force(self, on: date) -> bool:
        """True when the document applies on `on` and has not been superseded."""
        if self.superseded_by:
            return False
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)


@dataclass(frozen=True)
class Citation:
    """One cited passage; `text` is a verbatim substring of the document's text."""

    n: int
    doc_id: str
    title: str
    doc_number: str | None
    section: str | None
    text: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "title": self.title,
            "doc_number": self.doc_number,
            "section": self.section,
            "text": self.text,
            "score": self.score,
        }


@dataclass
class ChunkRecord:
    """A stored chunk: a verbatim slice [start, end) of its document's text."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    section: str | None
    meta: DocumentMeta
    extra: dict[str, Any] = field(default_factory=dict)
