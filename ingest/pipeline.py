"""The ingest job: policy files → chunks → vectors → a new knowledge generation, incrementally and guarded.

One run scans the folder (`ingest.corpus`); when nothing changed since the live generation it stops there.
Otherwise it plans the next generation against the live one (`ingest.planning`: live documents that now fail
keep their last good version; a plan that would lose most of the library is refused unless the operator
allows removal), loads the catalog and glossary (`ingest.catalog`) and publishes (`ingest.publishing`), the
pointer last.

Example::

    report = ingest_folder(settings, Path("policies"))
    print(report.summary())
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from core.errors import CorpusError
from core.knowledge.embedding import Embedder, embedder_id, make_embedder
from core.knowledge.store import KnowledgeStore, Pointer
from core.settings import Settings
from ingest.cache import IngestCache
from ingest.catalog import load_catalog
from ingest.corpus import scan
from ingest.planning import (
    CHUNK_MAX_CHARS,
    PIPELINE_VERSION,
    PublishRefused,
    check_removal,
    link_documents,
    plan_documents,
)
from ingest.publishing import publish_generation, vectors_for
from ingest.report import IngestReport
from ingest.statuses import DocumentStatus, apply_statuses, status_lines

__all__ = ["IngestReport", "PublishRefused", "ingest_folder"]


def ingest_folder(
    settings: Settings,
    folder: Path,
    *,
    embedder_factory: Callable[[], Embedder] | None = None,
    progress: bool = False,
    store: KnowledgeStore | None = None,
    allow_removal: bool = False,
    uploaded: Path | None = None,
    statuses: Mapping[str, DocumentStatus] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Ingest a policies folder into a new knowledge generation; skip all work when nothing changed.

    `uploaded`: a folder of documents uploaded at the workbench, ingested beside the policies folder; `statuses`:
    documents marked superseded or withdrawn there (ingest/statuses.py); `on_progress(stage, done, total)`
    hears the run's stages (scan, parse, embed, publish).

    Raises:
        CorpusError: `folder` is not a folder.
        PublishRefused: the run would empty the library or remove more than half of its documents, and
            `allow_removal` is not set; the live generation is untouched.
    """
    started = time.perf_counter()
    if not folder.is_dir():
        raise CorpusError(
            f"{folder} is not a folder; give the policies folder, e.g. `python -m ingest policies`. "
            "Nothing was changed."
        )
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
    statuses = dict(statuses or {})

    def step(stage: str, done: int = 0, total: int = 0) -> None:
        if on_progress:
            on_progress(stage, done, total)

    with store.ingest_lock():
        store.prune(settings.keep_generations)
        step("scan")
        corpus = scan(folder, uploaded=uploaded)
        fingerprint = corpus.fingerprint(
            f"pipeline {PIPELINE_VERSION}",
            f"model {model_id}",
            f"chunk {CHUNK_MAX_CHARS}",
            *status_lines(statuses),
        )
        previous = store.read_pointer()
        if previous and previous.fingerprint == fingerprint and previous.generation in store.generations():
            _report_unchanged(report, previous)
            report.seconds = time.perf_counter() - started
            return report

        step("parse", 0, corpus.files_found)
        plan = plan_documents(corpus, previous, store, report)
        step("parse", corpus.files_found, corpus.files_found)
        check_removal(corpus, plan, previous, report, allow_removal=allow_removal)
        link_documents(plan, report)
        # the workbench's marks come last: a cadre's explicit mark stands over what the texts say
        apply_statuses(plan, statuses, report, allow_removal=allow_removal)
        cache = IngestCache(settings.data_dir / "kb" / "ingest-cache.sqlite")
        try:
            catalog, facts, glossary = load_catalog(cache, corpus, plan.docs, report)
            vectors = vectors_for(plan.chunks, model_id, cache, factory, report, progress, on_progress)
            step("publish")
            report.generation = publish_generation(
                store,
                plan,
                vectors,
                {"catalog": catalog, "glossary": glossary, "facts": facts},
                model_id=model_id,
                fingerprint=fingerprint,
                report=report,
            )
            store.prune(settings.keep_generations)
        finally:
            cache.close()
        report.changed = True
        report.documents = len(plan.docs)
        report.chunks = len(plan.chunks)
        report.measures = len(catalog)
        report.glossary = len(glossary)
    report.seconds = time.perf_counter() - started
    return report


def _report_unchanged(report: IngestReport, previous: Pointer) -> None:
    """The live generation's figures, for a run that found nothing to do."""
    report.generation = previous.generation
    report.unchanged = sorted(rel for rel in previous.documents if rel not in previous.failed)
    report.failed.update(previous.failed)
    report.kept = {rel: why for rel, why in previous.failed.items() if rel in previous.documents}
    report.documents = len(previous.documents)
    report.chunks = previous.stats.get("chunks", 0)
    report.measures = previous.stats.get("measures", 0)
    report.glossary = previous.stats.get("glossary", 0)
