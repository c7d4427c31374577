"""What one ingest run did, and its summary for the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    @property
    def ok(self) -> bool:
        return not self.failed

    def failure_lines(self) -> list[str]:
        """One line per file that could not be used, saying what happened to it."""
        lines = [f"kept the last good version of {src}: {why}" for src, why in sorted(self.kept.items())]
        lines += [f"FAILED {src}: {why}" for src, why in sorted(self.failed.items()) if src not in self.kept]
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
        return "\n".join(lines + self.failure_lines())
