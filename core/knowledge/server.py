"""The knowledge store on a Chroma server (`chroma run`, HttpClient), for several API replicas.

Each generation is the collections ``<prefix>-<generation>-chunks``, ``-docs`` and ``-meta``; the pointer is
the record ``current`` of the collection ``<prefix>-pointer``. One client is shared by all generations.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from core.knowledge.generation import Pointer
from core.knowledge.store import KnowledgeStore

_KINDS = ("chunks", "docs", "meta")


class ServerStore(KnowledgeStore):
    """Generations as collections on a Chroma server at `url`."""

    def __init__(self, *, root: Path, url: str, prefix: str = "bangfu") -> None:
        super().__init__(root=root, prefix=prefix)
        self.url = url
        self._client: Any = None
        self._lock = threading.Lock()

    def ping(self) -> str | None:
        try:
            self._server().heartbeat()
        except Exception as exc:  # any client error means "not reachable"
            return f"chroma: {type(exc).__name__}"
        return None

    def _server(self) -> Any:
        with self._lock:
            if self._client is None:
                import chromadb

                url = urlparse(self.url)
                self._client = chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=self._chroma_settings(),
                )
            return self._client

    def _client_for(self, generation: str, *, create: bool) -> Any:
        return self._server()

    def _release(self, client: Any) -> None:
        pass  # the one shared client stays open

    def _collection_name(self, generation: str, kind: str) -> str:
        return f"{self.prefix}-{generation}-{kind}"

    # -- pointer ---------------------------------------------------------------------------------
    def read_pointer(self) -> Pointer | None:
        try:
            col = self._server().get_collection(f"{self.prefix}-pointer")
        except Exception:
            return None
        got = col.get(ids=["current"], include=["documents"])
        docs = got.get("documents") or []
        return Pointer.from_json(docs[0]) if docs and docs[0] else None

    def publish(self, pointer: Pointer) -> None:
        col = self._server().get_or_create_collection(f"{self.prefix}-pointer", embedding_function=None)
        col.upsert(ids=["current"], embeddings=[[1.0, 0.0]], documents=[pointer.to_json()])

    # -- generations -----------------------------------------------------------------------------
    def generations(self) -> list[str]:
        names = [getattr(c, "name", c) for c in self._server().list_collections()]
        prefix = f"{self.prefix}-"
        gens = {n[len(prefix) :].rsplit("-", 1)[0] for n in names if n.startswith(prefix + "g")}
        return sorted(gens)

    def drop(self, generation: str) -> None:
        client = self._server()
        for kind in _KINDS:
            with contextlib.suppress(Exception):
                client.delete_collection(self._collection_name(generation, kind))
