"""What a policies folder holds: document files with their content hashes, the catalog files, a fingerprint."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.readers import SUPPORTED_SUFFIXES

_SKIP_NAMES = {"readme.md", "readme.txt", "license", "license.md"}
UPLOADED_FOLDER = "uploaded"  # as core.records.library names uploaded files


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Source:
    """One document file: its path, its path relative to the policies folder, its content hash, and the path its
    doc_id is made from (relative to the documents folder; `uploaded/<name>` for an uploaded file)."""

    path: Path
    rel: str
    digest: str
    key: str = ""


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


def scan(folder: Path, *, uploaded: Path | None = None) -> Corpus:
    """Find and hash every file of a policies folder, and of `uploaded` (the data dir's documents uploaded at the
    workbench, which appear as `uploaded/<name>`)."""
    files, measures_dir, glossary_path, facts_path = discover(folder)
    corpus = Corpus(
        folder=folder,
        docs_root=folder / "docs" if (folder / "docs").is_dir() else folder,
        sources=[],
        measures_dir=measures_dir,
        glossary_path=glossary_path,
        facts_path=facts_path,
    )
    found = [(p, p.relative_to(folder).as_posix(), p.relative_to(corpus.docs_root).as_posix()) for p in files]
    if uploaded is not None and uploaded.is_dir():
        for path in sorted(
            p for p in uploaded.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
        ):
            rel = f"{UPLOADED_FOLDER}/{path.name}"
            found.append((path, rel, rel))
    for path, rel, key in found:
        try:
            corpus.sources.append(Source(path, rel, sha(path.read_bytes()), key))
        except OSError as exc:
            corpus.unreadable[rel] = f"cannot be read: {exc.strerror or exc}"
    return corpus


def doc_id_for(rel: str) -> str:
    """Stable document id from a path relative to the docs folder."""
    stem = rel.rsplit(".", 1)[0] if "." in Path(rel).name else rel
    return re.sub(r"[\s/\\?#%]+", "_", stem).strip("_") or "doc"
