"""Planning a generation: parse every document against the live one, keep last good versions, guard the library.

Nothing here writes to the store. A live document that now fails to parse is carried over from the live
generation (text, chunks and their text hashes, so its vectors come from the cache), and `check_removal`
refuses a plan that would lose most of the live library before anything is embedded or written.
`link_documents` links documents across the corpus: front matter's supersession made symmetric, then the repeal
clauses the texts state (`link_repeals`), by 文号 first, then by normalised title.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from core.errors import BangfuError, CorpusError, ServiceUnavailable
from core.knowledge.models import ChunkRecord, DocumentMeta
from core.knowledge.store import KnowledgeStore, Pointer, StoredDocument
from ingest.chunking import chunk_text
from ingest.corpus import Corpus, doc_id_for, sha
from ingest.readers import read_document
from ingest.readers.provenance import (
    Found,
    NamedDocument,
    RepealClause,
    Target,
    TextReading,
    doc_number_key,
    settle,
    title_key,
    title_keys,
)
from ingest.report import IngestReport

logger = logging.getLogger(__name__)

# Bump when chunking or the stored layout changes: a new version re-builds (vectors stay cached).
PIPELINE_VERSION = "5"
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
    """The documents and chunks of the next generation; `parsed` counts those read in this run, `readings` what
    their texts said (a document kept at its last good version has none)."""

    docs: dict[str, StoredDocument]
    chunks: list[ChunkRecord]
    parsed: int
    readings: dict[str, TextReading] = dataclasses.field(default_factory=dict)


def embed_text(meta: DocumentMeta, section: str | None, text: str) -> str:
    """What the model sees for a chunk: document title and section give context to a short passage."""
    head = meta.title if not section else f"{meta.title} {section}"
    return f"{head}\n{text}"


def plan_documents(
    corpus: Corpus, previous: Pointer | None, store: KnowledgeStore | None, report: IngestReport
) -> Plan:
    """Parse and chunk every document; classify it against the live pointer; keep failing live ones."""
    before = dict(previous.documents) if previous else {}
    docs: dict[str, StoredDocument] = {}
    chunks: list[ChunkRecord] = []
    readings: dict[str, TextReading] = {}
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
        readings[doc_id] = parsed.reading
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
    plan = Plan(docs=docs, chunks=chunks, parsed=len(docs), readings=readings)
    if failing_live and previous and store:
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


def link_documents(plan: Plan, report: IngestReport) -> None:
    """Supersession across the corpus: front matter's links made symmetric, then the texts' repeal clauses."""
    link_supersession(plan.docs)
    link_repeals(plan.docs, plan.readings)
    report.readings = {i: (plan.docs[i].meta, r) for i, r in sorted(plan.readings.items()) if i in plan.docs}


def link_supersession(docs: dict[str, StoredDocument]) -> None:
    """Make `supersedes` / `superseded_by` symmetric so either side may declare the link."""
    for doc in list(docs.values()):
        old_id = doc.meta.supersedes
        if old_id and old_id in docs and not docs[old_id].meta.superseded_by:
            _update(docs, old_id, superseded_by=doc.meta.doc_id)
    for doc in list(docs.values()):
        new_id = doc.meta.superseded_by
        if new_id and new_id in docs and not docs[new_id].meta.supersedes:
            _update(docs, new_id, supersedes=doc.meta.doc_id)


def _update(docs: dict[str, StoredDocument], doc_id: str, **changes: Any) -> None:
    old = docs[doc_id]
    docs[doc_id] = StoredDocument(dataclasses.replace(old.meta, **changes), old.text, old.content_hash)


def link_repeals(docs: dict[str, StoredDocument], readings: dict[str, TextReading]) -> None:
    """Link the documents each repeal clause names to documents of the corpus, by 文号 first, then by title.

    A named document that is not in the corpus (or cannot be told apart from another) links to nothing; links
    front matter states win, and a text that says otherwise is noted as a conflict. A document linked by its
    title takes the 文号, issuer and date the clause gives it when its own text did not say.
    """
    by_number: dict[str, list[str]] = {}
    by_key: dict[str, set[str]] = {}  # every key a title is known by → documents
    by_title: dict[str, set[str]] = {}  # a title's own key → documents
    for doc_id, doc in docs.items():
        if doc.meta.doc_number:
            by_number.setdefault(doc_number_key(doc.meta.doc_number), []).append(doc_id)
        for key in title_keys(doc.meta.title):
            by_key.setdefault(key, set()).add(doc_id)
        by_title.setdefault(title_key(doc.meta.title), set()).add(doc_id)
    linked: set[tuple[str, str]] = set()
    for new_id, reading in sorted(readings.items()):
        reading.targets.clear()
        for clause in reading.repeals:
            for named in clause.named:
                old_id, why = _resolve(named, docs[new_id].meta, docs, by_number, by_key, by_title)
                reading.targets.append(Target(named, clause, old_id, why))
                if old_id and (new_id, old_id) not in linked:
                    linked.add((new_id, old_id))
                    _link(docs, readings, new_id, old_id, named, clause, by_title=why.startswith("by title"))


def _resolve(
    named: NamedDocument,
    new: DocumentMeta,
    docs: dict[str, StoredDocument],
    by_number: dict[str, list[str]],
    by_key: dict[str, set[str]],
    by_title: dict[str, set[str]],
) -> tuple[str | None, str]:
    """The corpus document a clause names, and how it was found (or why none was)."""
    if named.doc_number:
        ids = [i for i in by_number.get(doc_number_key(named.doc_number), []) if i != new.doc_id]
        if len(ids) == 1:
            return ids[0], "by 文号"
        if ids:
            return None, f"its 文号 is on {len(ids)} documents: {', '.join(sorted(ids))}"
    if not named.title:
        return None, "not in the corpus"
    keys = title_keys(named.title)
    matched = set(by_key.get(title_key(named.title), set()))
    for key in keys:
        matched |= by_title.get(key, set())
    if matched == {new.doc_id}:
        return None, "not in the corpus (only this document has that title: it repeals an earlier version)"
    matched.discard(new.doc_id)
    if not matched:
        return None, "not in the corpus"
    fitting = sorted(i for i in matched if _could_be(named, docs[i].meta, new))
    if len(fitting) == 1:
        return fitting[0], "by title"
    if fitting:
        return None, f"its title fits {len(fitting)} documents: {', '.join(fitting)}"
    return None, f"a document of that title ({', '.join(sorted(matched))}) has another 文号 or date"


def _could_be(named: NamedDocument, old: DocumentMeta, new: DocumentMeta) -> bool:
    """Whether a document of the named title is the one the clause means: no other 文号, no other year, and not
    newer than the document that repeals it."""
    if (
        named.doc_number
        and old.doc_number
        and doc_number_key(named.doc_number) != doc_number_key(old.doc_number)
    ):
        return False
    if named.issued and old.issued and named.issued.year != old.issued.year:
        return False
    old_date = old.issued or old.effective_from
    new_date = new.effective_from or new.issued
    return not (old_date and new_date and old_date > new_date)


def _link(
    docs: dict[str, StoredDocument],
    readings: dict[str, TextReading],
    new_id: str,
    old_id: str,
    named: NamedDocument,
    clause: RepealClause,
    *,
    by_title: bool,
) -> None:
    """Record that `new_id` supersedes `old_id`, unless front matter (or an earlier link) says otherwise."""
    new, old = docs[new_id].meta, docs[old_id].meta
    where = f"{new_id} line {clause.lineno}"
    if new.superseded_by == old_id:
        readings[new_id].conflicts.append(
            f"{old_id} is stated to supersede it, yet its text repeals {old_id}"
        )
        return
    if old.superseded_by and old.superseded_by != new_id:
        note = f"superseded_by: {old.superseded_by} is kept; the text of {where} repeals it too"
        if old_id in readings:
            readings[old_id].conflicts.append(note)
    elif not old.superseded_by:
        _update(docs, old_id, superseded_by=new_id)
    if new.supersedes is None:
        _update(docs, new_id, supersedes=old_id)
    elif new.supersedes != old_id and "supersedes" in readings[new_id].front_matter:
        readings[new_id].conflicts.append(
            f"supersedes: front matter says {new.supersedes}, the text (line {clause.lineno}) repeals {old_id}"
        )
    reading = readings.get(old_id)
    if not by_title or reading is None:
        return
    # What the clause says of the document it names, where the document's own text is silent.
    stated: dict[str, Any] = {"doc_number": named.doc_number, "issuer": named.issuer, "issued": named.issued}
    fill = {k: v for k, v in stated.items() if v is not None and getattr(docs[old_id].meta, k) is None}
    for name, value in fill.items():
        reading.found[name] = Found(value, clause.line, clause.lineno, source=new_id)
    doc = docs[old_id]
    docs[old_id] = StoredDocument(
        settle(dataclasses.replace(doc.meta, **fill), reading), doc.text, doc.content_hash
    )
