"""Planning a generation: parse every document against the live one, keep last good versions, guard the library.

Nothing here writes to the store. A live document that now fails to parse is carried over from the live
generation (text, chunks and their text hashes, so its vectors come from the cache), and `check_removal`
refuses a plan that would lose most of the live library before anything is embedded or written.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from core.errors import BangfuError, CorpusError, ServiceUnavailable
from core.knowledge.models import ChunkRecord, DocumentMeta
from core.knowledge.store import KnowledgeStore, Pointer, StoredDocument
from ingest.chunking import chunk_text
from ingest.corpus import Corpus, doc_id_for, sha
from ingest.readers import read_document
from ingest.report import IngestReport

logger = logging.getLogger(__name__)

# Bump when chunking or the stored layout changes: a new version re-builds (vectors stay cached).
PIPELINE_VERSION = "3"
CHUNK_MAX_CHARS = 360
# A run may remove at most this share of the live documents without --allow-removal: deleting a few files
# is routine, losing more than half of the library is almost always a wrong path or a half-copied folder.
MAX_REMOVED_SHARE = 0.5


class PublishRefused(BangfuError):
    """The run would lose most of the live library; nothing was published."""

    def __init__(self, detail: str, report: IngestReport) -> None:
        super().__init__(detail)
        self.report = report


@dataclass
class Plan:
    """The documents and chunks of the next generation; `parsed` counts those read in this run."""

    docs: dict[str, StoredDocument]
    chunks: list[ChunkRecord]
    parsed: int


def embed_text(meta: DocumentMeta, section: str | None, text: str) -> str:
    """What the model sees for a chunk: document title and section give context to a short passage."""
    head = meta.title if not section else f"{meta.title} {section}"
    return f"{head}\n{text}"


def plan_documents(
    corpus: Corpus, previous: Pointer | None, store: KnowledgeStore, report: IngestReport
) -> Plan:
    """Parse and chunk every document; classify it against the live pointer; keep failing live ones."""
    before = dict(previous.documents) if previous else {}
    docs: dict[str, StoredDocument] = {}
    chunks: list[ChunkRecord] = []
    failing_live: dict[str, str] = {}

    def fail(rel: str, why: str) -> None:
        report.failed[rel] = why
        logger.warning("skipped %s: %s", rel, why)
        if rel in before:
            failing_live[rel] = why

    for rel, why in sorted(corpus.unreadable.items()):
        fail(rel, why)
    for src in corpus.sources:
        try:
            parsed = read_document(src.path)
        except CorpusError as exc:
            fail(src.rel, exc.detail)
            continue
        doc_id = doc_id_for(src.key or src.path.relative_to(corpus.docs_root).as_posix())
        if doc_id in docs:
            report.failed[src.rel] = f"has the same document id '{doc_id}' as {docs[doc_id].meta.source}"
            continue
        meta = dataclasses.replace(parsed.meta, doc_id=doc_id, source=src.rel)
        docs[doc_id] = StoredDocument(meta=meta, text=parsed.text, content_hash=src.digest)
        for i, piece in enumerate(chunk_text(parsed.text, max_chars=CHUNK_MAX_CHARS)):
            text_hash = sha(embed_text(meta, piece.section, piece.text).encode())
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
    plan = Plan(docs=docs, chunks=chunks, parsed=len(docs))
    if failing_live and previous:
        _keep_last_good(store, previous, failing_live, plan, report)
    seen = corpus.seen()
    report.removed = sorted(rel for rel in before if rel not in seen)
    return plan


def _keep_last_good(
    store: KnowledgeStore, previous: Pointer, failing: dict[str, str], plan: Plan, report: IngestReport
) -> None:
    """Carry live documents that now fail into the plan, as they are in the live generation."""
    try:
        live = store.load(previous.generation)
    except ServiceUnavailable as exc:
        raise PublishRefused(
            f"{', '.join(sorted(failing))} failed and the live generation cannot be read to keep their last "
            f"good version ({exc.detail}). Nothing was published. Fix or remove those files, then run again.",
            report,
        ) from exc
    by_source = {d.meta.source: d for d in live.documents.values()}
    for rel, why in sorted(failing.items()):
        old = by_source.get(rel)
        if old is None or old.meta.doc_id in plan.docs:  # its id now belongs to a file read in this run
            continue
        plan.docs[old.meta.doc_id] = old
        for c in live.chunks:
            if c.doc_id == old.meta.doc_id:
                c.extra.setdefault("text_hash", sha(embed_text(c.meta, c.section, c.text).encode()))
                plan.chunks.append(c)
        report.kept[rel] = why
        logger.warning("kept the last good version of %s", rel)


def check_removal(
    corpus: Corpus, plan: Plan, previous: Pointer | None, report: IngestReport, *, allow_removal: bool
) -> None:
    """Refuse a plan that would empty the library or lose most of it, unless the operator allows removal."""
    if allow_removal:
        return
    live = len(previous.documents) if previous else 0
    unchanged = f"The live library ({live} documents) is unchanged." if live else "Nothing was published."
    if corpus.files_found == 0:
        raise PublishRefused(
            f"no policy documents found in {corpus.folder}, so the library would be empty. {unchanged} "
            "Check the path: a policies folder holds the documents (or a docs/ folder), measures/ and "
            "glossary.yaml. To empty the library on purpose, run again with --allow-removal.",
            report,
        )
    if plan.parsed == 0:
        raise PublishRefused(
            f"none of the {corpus.files_found} files in {corpus.folder} could be read (see the list above). "
            f"{unchanged} Fix the files or the path, or run again with --allow-removal to publish anyway.",
            report,
        )
    if live and len(report.removed) > live * MAX_REMOVED_SHARE:
        sample = ", ".join(report.removed[:3]) + (" …" if len(report.removed) > 3 else "")
        raise PublishRefused(
            f"this run would remove {len(report.removed)} of the {live} live documents ({sample}); more than "
            f"half is refused. {unchanged} Check that {corpus.folder} is the policies folder you meant. "
            "To remove them on purpose, run again with --allow-removal.",
            report,
        )


def link_supersession(docs: dict[str, StoredDocument]) -> None:
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
