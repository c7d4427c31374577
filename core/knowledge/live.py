"""The live knowledge base: the published generation, followed without restarts.

The API holds one `LiveKnowledge`. Each request takes `current()`, a consistent view of one generation; at
most every `reload_interval` seconds it checks the pointer and, when an ingest published a new generation,
loads it fully before swapping, so requests in flight finish on the old view and none sees a half state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from core.errors import NotFound, ServiceUnavailable
from core.knowledge.chroma import GenerationReader
from core.knowledge.generation import Snapshot, StoredDocument
from core.knowledge.glossary import Glossary, Referrals
from core.knowledge.models import ChunkRecord, DocumentMeta
from core.knowledge.store import KnowledgeStore

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class KnowledgeView:
    """One loaded generation: its snapshot, a dense reader, its glossary and referrals, and derived indexes."""

    snapshot: Snapshot
    reader: GenerationReader
    chunk_index: dict[str, int] = field(default_factory=dict)
    doc_chunks: dict[str, list[int]] = field(default_factory=dict)
    _derived: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.chunk_index = {c.chunk_id: i for i, c in enumerate(self.snapshot.chunks)}
        for i, c in enumerate(self.snapshot.chunks):
            self.doc_chunks.setdefault(c.doc_id, []).append(i)

    @property
    def generation(self) -> str:
        return self.snapshot.generation

    @property
    def chunks(self) -> list[ChunkRecord]:
        return self.snapshot.chunks

    @property
    def glossary(self) -> Glossary:
        """Colloquial → policy terms of this generation (built once)."""
        return self.derived("glossary", lambda v: Glossary(v.snapshot.glossary_data))

    @property
    def referrals(self) -> Referrals:
        """Matters other offices handle, from this generation's glossary (built once)."""
        return self.derived("referrals", lambda v: Referrals(v.snapshot.glossary_data))

    def derived(self, key: str, build: Callable[[KnowledgeView], T]) -> T:
        """A value computed once per generation (BM25 index, catalog objects …)."""
        if key in self._derived:
            return self._derived[key]
        with self._lock:
            if key not in self._derived:
                self._derived[key] = build(self)
            return self._derived[key]

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """The chunks of one document, in order."""
        return [self.snapshot.chunks[i] for i in self.doc_chunks.get(doc_id, [])]

    def document(self, doc_id: str) -> StoredDocument:
        """A stored document by id, or NotFound."""
        doc = self.snapshot.documents.get(doc_id)
        if doc is None:
            raise NotFound(f"no document with id {doc_id!r}")
        return doc

    def meta(self, doc_id: str) -> DocumentMeta | None:
        doc = self.snapshot.documents.get(doc_id)
        return doc.meta if doc else None

    def documents(self) -> list[StoredDocument]:
        """All documents, newest issue date first, then by title."""
        docs = list(self.snapshot.documents.values())
        docs.sort(key=lambda d: (d.meta.issued or date.min, d.meta.doc_id), reverse=True)
        return docs


class LiveKnowledge:
    """Follows the store's pointer and keeps the current generation loaded."""

    def __init__(
        self,
        store: KnowledgeStore,
        *,
        reload_interval: float = 2.0,
        warmers: list[Callable[[KnowledgeView], object]] | None = None,
    ) -> None:
        self.store = store
        self.reload_interval = reload_interval
        self.warmers = list(warmers or [])
        self._view: KnowledgeView | None = None
        self._checked = 0.0
        self._swap_lock = threading.Lock()
        self._retired: list[KnowledgeView] = []

    def current(self) -> KnowledgeView:
        """The live view; raises ServiceUnavailable before the first ingest."""
        now = time.monotonic()
        if self._view is None or now - self._checked >= self.reload_interval:
            self._maybe_reload(now)
        if self._view is None:
            raise ServiceUnavailable("the knowledge base is empty: run `python -m ingest` first")
        return self._view

    def ready(self) -> bool:
        try:
            self.current()
        except ServiceUnavailable:
            return False
        return True

    def _maybe_reload(self, now: float) -> None:
        # One request does the check; the others keep serving the view they have.
        if not self._swap_lock.acquire(blocking=self._view is None):
            return
        try:
            self._checked = now
            pointer = self.store.read_pointer()
            if pointer is None or (self._view and self._view.generation == pointer.generation):
                return
            reader = self.store.open_reader(pointer.generation)
            try:
                snapshot = reader.load()
            except Exception:
                reader.close()
                raise
            view = KnowledgeView(snapshot=snapshot, reader=reader)
            for warm in self.warmers:  # build indexes before the swap, not on a user's request
                try:
                    warm(view)
                except Exception:  # a derived index that cannot be built fails its own requests, not all
                    logger.exception("could not prepare generation %s", pointer.generation)
            old, self._view = self._view, view
            logger.info(
                "serving knowledge generation %s (%d chunks)", pointer.generation, len(snapshot.chunks)
            )
            if old is not None:
                # Close the view before the previous one: requests may still hold the latest old view.
                self._retired.append(old)
                while len(self._retired) > 1:
                    self._retired.pop(0).reader.close()
        except ServiceUnavailable as exc:
            logger.warning("cannot load the knowledge generation: %s", exc.detail)
        finally:
            self._swap_lock.release()

    def close(self) -> None:
        for view in [*self._retired, *([self._view] if self._view else [])]:
            view.reader.close()
        self._retired.clear()
        self._view = None
