"""What one ingest run did, and its summary for the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.knowledge.models import DocumentMeta
from ingest.readers.provenance import TextReading

# Beyond this many documents the summary lists only those whose texts link, limit or contradict something.
READING_LINES = 60
COVERED = (("issuer", "issuer"), ("doc_number", "文号"), ("issued", "date"), ("effective_from", "施行"))


@dataclass
class IngestReport:
    """What one run did; `kept` names live documents that failed and kept their last good version."""

    generation: str | None = None
    changed: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)  # marked withdrawn at the workbench: left out
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    measures: int = 0
    glossary: int = 0
    seconds: float = 0.0
    # doc_id → its metadata after linking and what its text said (documents read in this run)
    readings: dict[str, tuple[DocumentMeta, TextReading]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def failure_lines(self) -> list[str]:
        """One line per file that could not be used, saying what happened to it."""
        lines = [f"kept the last good version of {src}: {why}" for src, why in sorted(self.kept.items())]
        lines += [f"FAILED {src}: {why}" for src, why in sorted(self.failed.items()) if src not in self.kept]
        return lines

    def conflict_lines(self) -> list[str]:
        """Where a document's front matter (or another link) and its text disagree; front matter won."""
        return [
            f"CONFLICT {doc_id}: {note}"
            for doc_id, (_, reading) in self.readings.items()
            for note in reading.conflicts
        ]

    def reading_lines(self, today: date | None = None) -> list[str]:
        """How many documents' texts gave each field, then one line per document: what was read, its links."""
        if not self.readings:
            return []
        today = today or date.today()
        n = len(self.readings)
        counts = [
            f"{label} {sum(1 for _, r in self.readings.values() if name in r.found and name not in r.front_matter)}/{n}"
            for name, label in COVERED
        ]
        targets = [t for _, r in self.readings.values() for t in r.targets]
        linked = sum(1 for t in targets if t.doc_id)
        lines = [
            f"read from the texts: {', '.join(counts)}; repeal clauses name {len(targets)} documents, "
            f"{linked} of them in the corpus (python -m ingest --explain DOC shows where)"
        ]
        shown = [
            (doc_id, meta, r)
            for doc_id, (meta, r) in self.readings.items()
            if n <= READING_LINES or r.targets or meta.superseded_by or meta.effective_to or r.conflicts
        ]
        lines += [f"  {doc_id}: {describe(meta, reading, today)}" for doc_id, meta, reading in shown]
        return lines

    def summary(self) -> str:
        """A short human summary for the terminal."""
        kept = f", {len(self.kept)} kept at the last good version" if self.kept else ""
        lines = [
            f"documents: {self.documents} ({len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged, {len(self.failed)} failed{kept})",
            f"chunks: {self.chunks} ({self.embedded} newly embedded); measures: {self.measures}; "
            f"glossary entries: {self.glossary}",
            f"generation: {self.generation or '-'}{'' if self.changed else ' (nothing changed)'}; "
            f"{self.seconds:.2f} s",
        ]
        if self.withdrawn:
            lines.append(f"withdrawn at the workbench: {', '.join(self.withdrawn)}")
        return "\n".join(lines + self.reading_lines() + self.conflict_lines() + self.failure_lines())


def describe(meta: DocumentMeta, reading: TextReading, today: date) -> str:
    """One line: issuer, 文号, date, validity and links of a document, as read."""
    parts = [meta.issuer or "issuer –", meta.doc_number or "文号 –", str(meta.issued or "date –")]
    if meta.effective_from:
        parts.append(f"施行 {meta.effective_from}")
    if meta.effective_to:
        parts.append(f"until {meta.effective_to}")
    if meta.trial:
        parts.append("试行")
    if meta.supersedes:
        parts.append(f"supersedes {meta.supersedes}")
    if meta.superseded_by:
        parts.append(f"superseded by {meta.superseded_by}")
    parts += [
        f"repeals {t.named.label()} {t.why}" + (f" → {t.doc_id}" if t.doc_id else "") for t in reading.targets
    ]
    parts.append("in force" if meta.in_force(today) else "NOT in force")
    return " · ".join(parts)
