"""Publishing a planned generation: vectors (cached by text hash), the Chroma collections, then the pointer.

The pointer flips last, so a crash at any step before leaves the previous generation live.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from core.errors import CorpusError
from core.knowledge.embedding import Embedder
from core.knowledge.models import ChunkRecord
from core.knowledge.store import KnowledgeStore, Pointer, new_generation_name
from ingest.cache import IngestCache
from ingest.planning import PIPELINE_VERSION, Plan, embed_text
from ingest.report import IngestReport

EMBED_BATCH = 32


def vectors_for(
    chunks: list[ChunkRecord],
    model_id: str,
    cache: IngestCache,
    factory: Callable[[], Embedder],
    report: IngestReport,
    progress: bool,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """A vector per chunk text hash: from the cache, else embedded (loading the model only then); `on_progress`
    hears ("embed", done, total) after each batch."""
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
            if on_progress:
                on_progress("embed", report.embedded, len(todo))
    finally:
        if bar:
            bar.close()
    return vectors


def publish_generation(
    store: KnowledgeStore,
    plan: Plan,
    vectors: dict[str, np.ndarray],
    meta: dict[str, Any],
    *,
    model_id: str,
    fingerprint: str,
    report: IngestReport,
) -> str:
    """Write a new generation (documents, chunks, vectors and `meta` values), then make it live."""
    generation = new_generation_name()
    dim = int(next(iter(vectors.values())).shape[0]) if vectors else 384
    by_doc: dict[str, list[ChunkRecord]] = {}
    for c in plan.chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    writer = store.writer(generation, dim)
    try:
        for doc_id, doc in plan.docs.items():
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
        for key, value in meta.items():
            writer.put_meta(key, value)
        writer.put_meta(
            "manifest",
            {
                "model_id": model_id,
                "dim": dim,
                "documents": len(plan.docs),
                "chunks": len(plan.chunks),
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
            documents={d.meta.source: d.content_hash for d in plan.docs.values()},
            failed=dict(report.failed),
            stats={
                "chunks": len(plan.chunks),
                "measures": len(meta.get("catalog", [])),
                "glossary": len(meta.get("glossary", [])),
            },
            created=datetime.now(UTC).isoformat(),
        )
    )
    return generation
