"""What a policies folder holds: document files with their content hashes, the catalog files, a fingerprint."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.readers import SUPPORTED_SUFFIXES

_SKIP_NAMES = {"readme.md", "readme.txt", "license", "license.md"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Source:
    """One document file: its path, its path relative to the policies folder, its content hash."""

    path: Path
    rel: str
    digest: str


@dataclass
class Corpus:
    """One scan of a policies folder."""

    folder: Path
    docs_root: Path
    sources: list[Source]
    unreadable: dict[str, str] = field(default_factory=dict)  # rel → why the file cannot be read
    measures_dir: Path | None = None
    glossary_path: Path | None = None
    facts_path: Path | None = None

    @property
    def files_found(self) -> int:
        return len(self.sources) + len(self.unreadable)

    def seen(self) -> set[str]:
        """Every document file present, readable or not."""
        return {s.rel for s in self.sources} | set(self.unreadable)

    def fingerprint(self, *lines: str) -> str:
        """A hash of `lines` (pipeline version, model …) and every file's content: equal means nothing to do."""
        extra = [p for p in (self.glossary_path, self.facts_path) if p] + (
            sorted(self.measures_dir.glob("*.y*ml")) if self.measures_dir else []
        )
        return sha(
            "\n".join(
                [*lines]
                + [f"{s.rel} {s.digest}" for s in self.sources]
                + [f"{rel} unreadable" for rel in sorted(self.unreadable)]
                + [f"{p.relative_to(self.folder).as_posix()} {sha(p.read_bytes())}" for p in extra]
            ).encode()
        )


def discover(folder: Path) -> tuple[list[Path], Path | None, Path | None, Path | None]:
    """Policy files, measures folder, glossary and facts file of a policies folder."""
    docs_root = folder / "docs" if (folder / "docs").is_dir() else folder
    files = sorted(
        p
        for p in docs_root.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(docs_root).parts)
        and p.name.lower() not in _SKIP_NAMES
        and (p.suffix.lower() in SUPPORTED_SUFFIXES or docs_root is not folder)
        and not (docs_root is folder and p.relative_to(folder).parts[0] in {"measures"})
    )
    if docs_root is folder:
        files = [p for p in files if p.suffix.lower() not in {".yaml", ".yml"}]
    measures = folder / "measures" if (folder / "measures").is_dir() else None
    glossary = folder / "glossary.yaml" if (folder / "glossary.yaml").is_file() else None
    facts = folder / "facts.yaml" if (folder / "facts.yaml").is_file() else None
    return files, measures, glossary, facts


def scan(folder: Path) -> Corpus:
    """Find and hash every file of a policies folder."""
    files, measures_dir, glossary_path, facts_path = discover(folder)
    corpus = Corpus(
        folder=folder,
        docs_root=folder / "docs" if (folder / "docs").is_dir() else folder,
        sources=[],
        measures_dir=measures_dir,
        glossary_path=glossary_path,
        facts_path=facts_path,
    )
    for path in files:
        rel = path.relative_to(folder).as_posix()
        try:
            corpus.sources.append(Source(path, rel, sha(path.read_bytes())))
        except OSError as exc:
            corpus.unreadable[rel] = f"cannot be read: {exc.strerror or exc}"
    return corpus


def doc_id_for(rel: str) -> str:
    """Stable document id from a path relative to the docs folder."""
    stem = rel.rsplit(".", 1)[0] if "." in Path(rel).name else rel
    return re.sub(r"[\s/\\?#%]+", "_", stem).strip("_") or "doc"
