"""The ingest job: policy files → chunks → vectors → a new knowledge generation, incrementally.

Example::

    report = ingest_folder(settings, Path("policies"))
    print(report.summary())
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.errors import CorpusError
from core.knowledge.embedding import Embedder, embedder_id, make_embedder
from core.knowledge.models import ChunkRecord, DocumentMeta
from core.knowledge.store import KnowledgeStore, Pointer, StoredDocument, new_generation_name
from core.settings import Settings
from ingest.cache import IngestCache
from ingest.chunking import chunk_text
from ingest.readers import SUPPORTED_SUFFIXES, read_document

logger = logging.getLogger(__name__)

# Bump when chunking or the stored layout changes: a new version re-builds (vectors stay cached).
PIPELINE_VERSION = "3"
CHUNK_MAX_CHARS = 360
EMBED_BATCH = 32
_SKIP_NAMES = {"readme.md", "readme.txt", "license", "license.md"}


@dataclass
class IngestReport:
    """What one run did."""

    generation: str | None = None
    changed: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    measures: int = 0
    glossary: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """A short human summary for the terminal."""
        lines = [
            f"documents: {self.documents} ({len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged, {len(self.failed)} failed)",
            f"chunks: {self.chunks} ({self.embedded} newly embedded); measures: {self.measures}; "
            f"glossary entries: {self.glossary}",
            f"generation: {self.generation or '-'}{'' if self.changed else ' (nothing changed)'}; "
            f"{self.seconds:.2f} s",
        ]
        lines += [f"FAILED {src}: {why}" for src, why in sorted(self.failed.items())]
        return "\n".join(lines)


@dataclass
class _Source:
    path: Path
    rel: str
    digest: str


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def doc_id_for(rel: str) -> str:
    """Stable document id from a path relative to the docs folder."""
    stem = rel.rsplit(".", 1)[0] if "." in Path(rel).name else rel
    return re.sub(r"[\s/\\?#%]+", "_", stem).strip("_") or "doc"


def embed_text(meta: DocumentMeta, section: str | None, text: str) -> str:
    """What the model sees for a chunk: document title and section give context to a short passage."""
    head = meta.title if not section else f"{meta.title} {section}"
    return f"{head}\n{text}"


def _link_supersession(docs: dict[str, StoredDocument]) -> None:
    """Make `supersedes` / `superseded_by` symmetric so either side may declare the link."""
    for doc in list(docs.values()):
        old_id = doc.meta.supersedes
        if old_id and old_id in docs and not docs[old_id].meta.superseded_by:
            old = docs[old_id]
            docs[old_id] = StoredDocument(
                dataclasses.replace(old.meta, superseded_by=doc.meta.doc_id), old.text, old.content_hash
            )
    for doc in list(docs.values()):
        new_id = doc.meta.superseded_by
        if new_id and new_id in docs and not docs[new_id].meta.supersedes:
            new = docs[new_id]
            docs[new_id] = StoredDocument(
                dataclasses.replace(new.meta, supersedes=doc.meta.doc_id), new.text, new.content_hash
            )


def _load_yaml_list(path: Path, key: str, *, optional: bool = False) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path.name} is not valid YAML: {exc}") from exc
    entries = data.get(key) if isinstance(data, dict) else (None if optional else data)
    if optional and entries is None:
        return []
    if not isinstance(entries, list):
        raise CorpusError(f"{path.name} must hold a list under '{key}'")
    return entries


def load_glossary(path: Path) -> list[dict[str, Any]]:
    """Glossary entries `{colloquial, terms}` and referrals `{office, topics}` (whom to ask instead), validated."""
    out = []
    for i, entry in enumerate(_load_yaml_list(path, "entries"), 1):
        if not isinstance(entry, dict) or not entry.get("colloquial") or not entry.get("terms"):
            raise CorpusError(f"{path.name}: entry {i} needs 'colloquial' and 'terms'")
        terms = entry["terms"] if isinstance(entry["terms"], list) else [entry["terms"]]
        out.append({"colloquial": str(entry["colloquial"]), "terms": [str(t) for t in terms]})
    for i, entry in enumerate(_load_yaml_list(path, "referrals", optional=True), 1):
        if not isinstance(entry, dict) or not entry.get("office") or not entry.get("topics"):
            raise CorpusError(f"{path.name}: referral {i} needs 'office' and 'topics'")
        topics = entry["topics"] if isinstance(entry["topics"], list) else [entry["topics"]]
        out.append({"office": str(entry["office"]), "topics": [str(t) for t in topics]})
    return out


def ingest_folder(
    settings: Settings,
    folder: Path,
    *,
    embedder_factory: Callable[[], Embedder] | None = None,
    progress: bool = False,
    store: KnowledgeStore | None = None,
) -> IngestReport:
    """Ingest a policies folder into a new knowledge generation; skip all work when nothing changed."""
    started = time.perf_counter()
    if not folder.is_dir():
        raise CorpusError(f"{folder} is not a folder")
    store = store or KnowledgeStore.from_settings(settings)
    model_id = embedder_id(settings.embedding_model)
    factory = embedder_factory or (
        lambda: make_embedder(
            settings.embedding_model,
            query_prefix=settings.embedding_query_prefix,
            passage_prefix=settings.embedding_passage_prefix,
        )
    )
    report = IngestReport()
    with store.ingest_lock():
        store.prune(settings.keep_generations)
        files, measures_dir, glossary_path, facts_path = discover(folder)
        docs_root = folder / "docs" if (folder / "docs").is_dir() else folder
        sources: list[_Source] = []
        for path in files:
            rel = path.relative_to(folder).as_posix()
            try:
                sources.append(_Source(path, rel, _sha(path.read_bytes())))
            except OSError as exc:
                report.failed[rel] = f"cannot be read: {exc.strerror or exc}"
        extra_files = [p for p in (glossary_path, facts_path) if p] + (
            sorted(measures_dir.glob("*.y*ml")) if measures_dir else []
        )
        fingerprint = _sha(
            "\n".join(
                [f"pipeline {PIPELINE_VERSION}", f"model {model_id}", f"chunk {CHUNK_MAX_CHARS}"]
                + [f"{s.rel} {s.digest}" for s in sources]
                + [f"{p.relative_to(folder).as_posix()} {_sha(p.read_bytes())}" for p in extra_files]
            ).encode()
        )
        previous = store.read_pointer()
        if previous and previous.fingerprint == fingerprint and previous.generation in store.generations():
            report.generation = previous.generation
            report.unchanged = sorted(previous.documents)
            report.failed.update(previous.failed)
            report.documents = len(previous.documents)
            report.chunks = previous.stats.get("chunks", 0)
            report.measures = previous.stats.get("measures", 0)
            report.glossary = previous.stats.get("glossary", 0)
            report.seconds = time.perf_counter() - started
            return report

        cache = IngestCache(settings.data_dir / "kb" / "ingest-cache.sqlite")
        try:
            docs, chunks = _parse_all(sources, docs_root, folder, report, previous)
            _link_supersession(docs)
            catalog, facts, glossary = _load_catalog(
                cache, folder, measures_dir, glossary_path, facts_path, docs, report
            )
            vectors = _vectors_for(chunks, model_id, cache, factory, report, progress)
            generation = new_generation_name()
            dim = int(next(iter(vectors.values())).shape[0]) if vectors else 384
            writer = store.writer(generation, dim)
            by_doc: dict[str, list[ChunkRecord]] = {}
            for c in chunks:
                by_doc.setdefault(c.doc_id, []).append(c)
            try:
                for doc_id, doc in docs.items():
                    own = by_doc.get(doc_id, [])
                    for c in own:
                        c.meta = doc.meta
                    mat = (
                        np.stack([vectors[c.extra["text_hash"]] for c in own])
                        if own
                        else np.zeros((0, dim), np.float32)
                    )
                    writer.add_document(doc, own, mat)
                writer.flush()
                writer.put_meta("catalog", catalog)
                writer.put_meta("glossary", glossary)
                writer.put_meta("facts", facts)
                writer.put_meta(
                    "manifest",
                    {
                        "model_id": model_id,
                        "dim": dim,
                        "documents": len(docs),
                        "chunks": len(chunks),
                        "created": datetime.now(UTC).isoformat(),
                        "pipeline": PIPELINE_VERSION,
                    },
                )
            finally:
                writer.close()
            store.publish(
                Pointer(
                    generation=generation,
                    model_id=model_id,
                    fingerprint=fingerprint,
                    documents={d.meta.source: d.content_hash for d in docs.values()},
                    failed=dict(report.failed),
                    stats={"chunks": len(chunks), "measures": len(catalog), "glossary": len(glossary)},
                    created=datetime.now(UTC).isoformat(),
                )
            )
            store.prune(settings.keep_generations)
        finally:
            cache.close()
        report.generation = generation
        report.changed = True
        report.documents = len(docs)
        report.chunks = len(chunks)
        report.measures = len(catalog)
        report.glossary = len(glossary)
    report.seconds = time.perf_counter() - started
    return report


def _parse_all(
    sources: Iterable[_Source],
    docs_root: Path,
    folder: Path,
    report: IngestReport,
    previous: Pointer | None,
) -> tuple[dict[str, StoredDocument], list[ChunkRecord]]:
    before = dict(previous.documents) if previous else {}
    docs: dict[str, StoredDocument] = {}
    chunks: list[ChunkRecord] = []
    for src in sources:
        try:
            parsed = read_document(src.path)
        except CorpusError as exc:
            report.failed[src.rel] = exc.detail
            logger.warning("skipped %s: %s", src.rel, exc.detail)
            continue
        doc_id = doc_id_for(src.path.relative_to(docs_root).as_posix())
        if doc_id in docs:
            report.failed[src.rel] = f"has the same document id '{doc_id}' as {docs[doc_id].meta.source}"
            continue
        meta = dataclasses.replace(parsed.meta, doc_id=doc_id, source=src.rel)
        docs[doc_id] = StoredDocument(meta=meta, text=parsed.text, content_hash=src.digest)
        for i, piece in enumerate(chunk_text(parsed.text, max_chars=CHUNK_MAX_CHARS)):
            text_hash = _sha(embed_text(meta, piece.section, piece.text).encode())
            chunks.append(
                ChunkRecord(
                    chunk_id=f"{doc_id}#{i}",
                    doc_id=doc_id,
                    text=piece.text,
                    start=piece.start,
                    end=piece.end,
                    section=piece.section,
                    meta=meta,
                    extra={"text_hash": text_hash},
                )
            )
        if src.rel not in before:
            report.added.append(src.rel)
        elif before[src.rel] != src.digest:
            report.updated.append(src.rel)
        else:
            report.unchanged.append(src.rel)
    seen = {s.rel for s in sources}
    report.removed = sorted(rel for rel in before if rel not in seen)
    return docs, chunks


def _load_catalog(
    cache: IngestCache,
    folder: Path,
    measures_dir: Path | None,
    glossary_path: Path | None,
    facts_path: Path | None,
    docs: dict[str, StoredDocument],
    report: IngestReport,
) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """Catalog, facts and glossary; on error keep the last good version so nothing stored is lost."""
    facts: dict[str, Any] = cache.get_json("facts") or {}
    catalog: list[dict[str, Any]] = cache.get_json("catalog") or []
    glossary: list[dict[str, Any]] = cache.get_json("glossary") or []
    registry: FactRegistry | None
    if facts_path:
        try:
            facts = yaml.safe_load(facts_path.read_text(encoding="utf-8")) or {}
            registry = FactRegistry.from_dict(facts)
            cache.put_json("facts", facts)
        except (CorpusError, yaml.YAMLError, ValueError) as exc:
            report.failed[facts_path.relative_to(folder).as_posix()] = str(getattr(exc, "detail", exc))
            registry = FactRegistry.from_dict(facts) if facts else None
    else:
        registry = FactRegistry.from_dict(facts) if facts else None
    if measures_dir:
        try:
            if registry is None:
                raise CorpusError("measures need a facts.yaml beside them")
            loaded = Catalog.load(measures_dir.parent, registry)
            catalog = [loaded.to_public_dict(m) for m in loaded]
            for m in catalog:
                for ref in m.get("basis", []):
                    doc = docs.get(ref.get("doc_id"))
                    if doc is None:
                        raise CorpusError(f"measure {m['id']}: basis document {ref.get('doc_id')} not found")
                    if ref.get("quote") and ref["quote"] not in doc.text:
                        raise CorpusError(f"measure {m['id']}: basis quote is not in {ref['doc_id']}")
            cache.put_json("catalog", catalog)
        except CorpusError as exc:
            report.failed[measures_dir.relative_to(folder).as_posix() + "/"] = exc.detail
    if glossary_path:
        try:
            glossary = load_glossary(glossary_path)
            cache.put_json("glossary", glossary)
        except CorpusError as exc:
            report.failed[glossary_path.relative_to(folder).as_posix()] = exc.detail
    return catalog, facts, glossary


def _vectors_for(
    chunks: list[ChunkRecord],
    model_id: str,
    cache: IngestCache,
    factory: Callable[[], Embedder],
    report: IngestReport,
    progress: bool,
) -> dict[str, np.ndarray]:
    hashes = list(dict.fromkeys(c.extra["text_hash"] for c in chunks))
    vectors = cache.get_vectors(model_id, hashes)
    todo = [c for c in chunks if c.extra["text_hash"] not in vectors]
    todo = list({c.extra["text_hash"]: c for c in todo}.values())
    if not todo:
        return vectors
    embedder = factory()
    if embedder.model_id != model_id:
        raise CorpusError(f"embedder {embedder.model_id} does not match the configured model {model_id}")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="chunk", desc="embedding")
    try:
        for lo in range(0, len(todo), EMBED_BATCH):
            part = todo[lo : lo + EMBED_BATCH]
            mat = embedder.embed_passages([embed_text(c.meta, c.section, c.text) for c in part])
            fresh = {c.extra["text_hash"]: mat[i] for i, c in enumerate(part)}
            cache.put_vectors(model_id, fresh)  # committed per batch: an interrupted run resumes here
            vectors.update(fresh)
            report.embedded += len(part)
            if bar:
                bar.update(len(part))
    finally:
        if bar:
            bar.close()
    return vectors
