"""The knowledge store: policy chunks and their vectors in Chroma, published in generations.

Every ingest that changes something writes a complete new *generation* (chunks + vectors, full document
texts, the measure catalog, the glossary) and then flips a small pointer. Readers follow the pointer, so a
crash mid-ingest leaves the previous generation serving, and a running API picks up the new one without a
restart.

One interface, one backend per mode, chosen by settings (`BANGFU_CHROMA_URL`):

* `core.knowledge.embedded.EmbeddedStore` (default): each generation in its own Chroma directory
  (PersistentClient), so a directory has one owning process at a time (the ingest job while it writes it, the
  API after it is published); the pointer is a file.
* `core.knowledge.server.ServerStore`: a Chroma server (HttpClient); each generation is a set of collections
  and the pointer is a record on the server.

Example::

    store = KnowledgeStore.from_settings(settings)
    pointer = store.read_pointer()
    snapshot = store.load(pointer.generation)   # documents, chunks, catalog, glossary
    hits = store.open_reader(pointer.generation).query(vector, k=20)
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import ServiceUnavailable
from core.knowledge.chroma import GenerationReader, GenerationWriter, meta_from_chroma, meta_to_chroma
from core.knowledge.generation import Pointer, Snapshot, StoredDocument, new_generation_name
from core.settings import Settings

__all__ = [
    "GenerationReader",
    "GenerationWriter",
    "KnowledgeStore",
    "Pointer",
    "Snapshot",
    "StoredDocument",
    "meta_from_chroma",
    "meta_to_chroma",
    "new_generation_name",
]


class KnowledgeStore(abc.ABC):
    """Generations of the knowledge base in Chroma; `root` (the data dir's kb/) holds the ingest lock."""

    def __init__(self, *, root: Path, prefix: str = "bangfu") -> None:
        self.root = root
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> KnowledgeStore:
        """The embedded store, or the server store when `chroma_url` is set."""
        root = settings.data_dir / "kb"
        if settings.chroma_url:
            from core.knowledge.server import ServerStore

            return ServerStore(root=root, url=settings.chroma_url, prefix=settings.chroma_prefix)
        from core.knowledge.embedded import EmbeddedStore

        return EmbeddedStore(root=root, prefix=settings.chroma_prefix)

    # -- what a backend provides -----------------------------------------------------------------
    @abc.abstractmethod
    def ping(self) -> str | None:
        """None when the vector store answers, else a short reason."""

    @abc.abstractmethod
    def read_pointer(self) -> Pointer | None:
        """The live generation, or None before the first ingest."""

    @abc.abstractmethod
    def publish(self, pointer: Pointer) -> None:
        """Make `pointer.generation` live, atomically."""

    @abc.abstractmethod
    def generations(self) -> list[str]:
        """Generations present in the store, oldest first."""

    @abc.abstractmethod
    def drop(self, generation: str) -> None:
        """Delete a generation that is not live."""

    @abc.abstractmethod
    def _client_for(self, generation: str, *, create: bool) -> Any:
        """The Chroma client holding `generation`'s collections."""

    @abc.abstractmethod
    def _release(self, client: Any) -> None:
        """Done with a client from `_client_for`."""

    @abc.abstractmethod
    def _collection_name(self, generation: str, kind: str) -> str:
        """The name of one of a generation's collections: chunks, docs or meta."""

    @staticmethod
    def _chroma_settings() -> Any:
        from chromadb.config import Settings as ChromaSettings

        return ChromaSettings(anonymized_telemetry=False, allow_reset=False)

    # -- generations -----------------------------------------------------------------------------
    def writer(self, generation: str, dim: int) -> GenerationWriter:
        return GenerationWriter(self, generation, dim)

    def open_reader(self, generation: str) -> GenerationReader:
        return GenerationReader(self, generation)

    def load(self, generation: str) -> Snapshot:
        reader = self.open_reader(generation)
        try:
            return reader.load()
        finally:
            reader.close()

    def prune(self, keep: int) -> list[str]:
        """Drop all but the newest `keep` generations, never the live one; returns what was dropped."""
        pointer = self.read_pointer()
        live = pointer.generation if pointer else None
        gens = self.generations()
        dropped = [g for g in gens[:-keep] if g != live] if keep > 0 else []
        # Generations newer than the live one are leftovers of crashed runs.
        if live in gens:
            dropped += [g for g in gens[gens.index(live) + 1 :] if g not in dropped]
        for g in dropped:
            self.drop(g)
        return dropped

    @contextlib.contextmanager
    def ingest_lock(self) -> Iterator[None]:
        """Only one ingest job at a time (per data dir)."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "ingest.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise ServiceUnavailable("another ingest is running on this data dir") from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
