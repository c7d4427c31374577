"""The knowledge store: policy chunks and their vectors in Chroma, published in generations.

Every ingest that changes something writes a complete new *generation* (chunks + vectors, full document
texts, the measure catalog, the glossary) and then flips a small pointer. Readers follow the pointer, so a
crash mid-ingest leaves the previous generation serving, and a running API picks up the new one without a
restart. The embedded store keeps each generation in its own Chroma directory, so a directory has one
owning process at a time (the ingest job while it writes it, the API after it is published); with a Chroma
server each generation is a set of collections and the pointer is a record on the server.

Example::

    store = KnowledgeStore.from_settings(settings)
    pointer = store.read_pointer()
    snapshot = store.load(pointer.generation)   # documents, chunks, catalog, glossary
    hits = store.open_reader(pointer.generation).query(vector, k=20)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from core.errors import ServiceUnavailable
from core.knowledge.models import ChunkRecord, DocumentMeta
from core.settings import Settings

logger = logging.getLogger(__name__)

_DATE_FIELDS = ("issued", "effective_from", "effective_to")
_META_FIELDS = (
    "title",
    "source",
    "doc_number",
    "issuer",
    "region",
    "category",
    "supersedes",
    "superseded_by",
)
_BATCH = 1000


@dataclass
class Pointer:
    """Which generation is live, and what it was built from (for incremental ingest)."""

    generation: str
    model_id: str
    fingerprint: str
    documents: dict[str, str] = field(default_factory=dict)  # source path → content hash
    failed: dict[str, str] = field(default_factory=dict)  # source path → why it could not be read
    stats: dict[str, int] = field(default_factory=dict)  # chunks, measures, glossary entries
    created: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Pointer:
        data = json.loads(raw)
        return cls(
            **{
                k: data[k]
                for k in ("generation", "model_id", "fingerprint", "documents", "failed", "stats", "created")
                if k in data
            }
        )


@dataclass
class StoredDocument:
    """A policy document as stored: metadata, the full text citations quote, and its content hash."""

    meta: DocumentMeta
    text: str
    content_hash: str


@dataclass
class Snapshot:
    """Everything one generation holds, loaded into memory for retrieval and lookups."""

    generation: str
    model_id: str
    documents: dict[str, StoredDocument]
    chunks: list[ChunkRecord]
    catalog: list[dict[str, Any]]
    glossary: list[dict[str, Any]]
    facts: dict[str, Any]
    manifest: dict[str, Any]


def new_generation_name() -> str:
    """A sortable, unique generation name."""
    return "g" + datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)


def meta_to_chroma(meta: DocumentMeta) -> dict[str, str]:
    """Flatten document metadata for Chroma (no None values allowed there)."""
    out: dict[str, str] = {"doc_id": meta.doc_id}
    for name in _META_FIELDS:
        value = getattr(meta, name)
        if value:
            out[name] = str(value)
    for name in _DATE_FIELDS:
        value = getattr(meta, name)
        if value:
            out[name] = value.isoformat()
    return out


def meta_from_chroma(data: dict[str, Any]) -> DocumentMeta:
    """Inverse of `meta_to_chroma`."""
    kwargs: dict[str, Any] = {"doc_id": str(data["doc_id"]), "title": str(data.get("title", data["doc_id"]))}
    kwargs["source"] = str(data.get("source", ""))
    for name in _META_FIELDS[2:]:
        kwargs[name] = data.get(name) or None
    for name in _DATE_FIELDS:
        raw = data.get(name)
        kwargs[name] = date.fromisoformat(raw) if raw else None
    return DocumentMeta(**kwargs)


class GenerationWriter:
    """Writes one generation's collections. Used only by the ingest job."""

    def __init__(self, store: KnowledgeStore, generation: str, dim: int) -> None:
        self.store = store
        self.generation = generation
        self.dim = dim
        self._client = store._client_for(generation, create=True)
        self._chunks = self._create("chunks")
        self._docs = self._create("docs")
        self._meta = self._create("meta")
        self._pending_chunks: list[tuple[ChunkRecord, int, np.ndarray]] = []
        self._pending_docs: list[tuple[StoredDocument, np.ndarray]] = []

    def _create(self, kind: str) -> Any:
        name = self.store._collection_name(self.generation, kind)
        with contextlib.suppress(Exception):
            self._client.delete_collection(name)  # a half-written leftover of a crashed run
        return self._client.create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def add_document(self, doc: StoredDocument, chunks: list[ChunkRecord], vectors: np.ndarray) -> None:
        """Queue one document, its chunks and their vectors (rows of `vectors` match `chunks`).

        Writes go to Chroma in large batches (`flush`): one call per document is many times slower.
        """
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        for i, c in enumerate(chunks):
            self._pending_chunks.append((c, i, vectors[i]))
        centroid = vectors.mean(axis=0) if len(vectors) else np.zeros(self.dim, dtype=np.float32)
        norm = float(np.linalg.norm(centroid))
        centroid = centroid / norm if norm > 0 else _unit(self.dim)
        self._pending_docs.append((doc, centroid.astype(np.float32)))
        if len(self._pending_chunks) >= _BATCH or len(self._pending_docs) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Write everything queued so far."""
        for lo in range(0, len(self._pending_chunks), _BATCH):
            part = self._pending_chunks[lo : lo + _BATCH]
            self._chunks.add(
                ids=[c.chunk_id for c, _, _ in part],
                embeddings=np.stack([v for _, _, v in part]),
                documents=[c.text for c, _, _ in part],
                metadatas=[
                    {
                        "doc_id": c.doc_id,
                        "start": c.start,
                        "end": c.end,
                        "ord": ord_,
                        **({"section": c.section} if c.section else {}),
                        **{k: v for k, v in c.extra.items() if isinstance(v, (str, int, float, bool))},
                    }
                    for c, ord_, _ in part
                ],
            )
        for lo in range(0, len(self._pending_docs), _BATCH):
            docs = self._pending_docs[lo : lo + _BATCH]
            self._docs.add(
                ids=[d.meta.doc_id for d, _ in docs],
                embeddings=np.stack([v for _, v in docs]),
                documents=[d.text for d, _ in docs],
                metadatas=[{**meta_to_chroma(d.meta), "content_hash": d.content_hash} for d, _ in docs],
            )
        self._pending_chunks.clear()
        self._pending_docs.clear()

    def put_meta(self, key: str, value: Any) -> None:
        """Store a JSON value (catalog, glossary, manifest) with the generation."""
        self._meta.upsert(
            ids=[key],
            embeddings=_unit(self.dim).reshape(1, -1),
            documents=[json.dumps(value, ensure_ascii=False, default=str)],
        )

    def close(self) -> None:
        self.store._release(self._client)


def _unit(dim: int) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[0] = 1.0
    return v


class GenerationReader:
    """Dense search over one published generation."""

    def __init__(self, store: KnowledgeStore, generation: str) -> None:
        self.store = store
        self.generation = generation
        self._client = store._client_for(generation, create=False)
        try:
            self._chunks = self._client.get_collection(store._collection_name(generation, "chunks"))
        except Exception as exc:
            store._release(self._client)
            raise ServiceUnavailable(f"knowledge generation {generation} cannot be opened: {exc}") from exc

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the `k` nearest chunks."""
        res = self._chunks.query(query_embeddings=vector.reshape(1, -1), n_results=k, include=["distances"])
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=False)]

    def load(self) -> Snapshot:
        """Read the whole generation into memory."""
        c = self._client
        docs_col = c.get_collection(self.store._collection_name(self.generation, "docs"))
        meta_col = c.get_collection(self.store._collection_name(self.generation, "meta"))
        meta_raw = meta_col.get(include=["documents"])
        meta = {i: json.loads(d) for i, d in zip(meta_raw["ids"], meta_raw["documents"] or [], strict=True)}
        if "manifest" not in meta:
            raise ServiceUnavailable(f"knowledge generation {self.generation} is incomplete")
        documents: dict[str, StoredDocument] = {}
        raw = docs_col.get(include=["documents", "metadatas"])
        for text, md in zip(raw["documents"] or [], raw["metadatas"] or [], strict=True):
            info = dict(md or {})
            documents[str(info["doc_id"])] = StoredDocument(
                meta=meta_from_chroma(info), text=text or "", content_hash=str(info.get("content_hash", ""))
            )
        chunks: list[ChunkRecord] = []
        raw = self._chunks.get(include=["documents", "metadatas"])
        rows = sorted(
            zip(raw["ids"], raw["documents"] or [], raw["metadatas"] or [], strict=True),
            key=lambda r: (str((r[2] or {}).get("doc_id")), int((r[2] or {}).get("ord", 0))),
        )
        for cid, text, md in rows:
            info = dict(md or {})
            doc = documents.get(str(info.get("doc_id")))
            if doc is None:
                continue
            extra = {k: v for k, v in info.items() if k not in {"doc_id", "start", "end", "section", "ord"}}
            chunks.append(
                ChunkRecord(
                    chunk_id=cid,
                    doc_id=doc.meta.doc_id,
                    text=text or "",
                    start=int(info.get("start", 0)),
                    end=int(info.get("end", 0)),
                    section=info.get("section"),
                    meta=doc.meta,
                    extra=extra,
                )
            )
        manifest = meta["manifest"]
        return Snapshot(
            generation=self.generation,
            model_id=str(manifest.get("model_id", "")),
            documents=documents,
            chunks=chunks,
            catalog=list(meta.get("catalog", [])),
            glossary=list(meta.get("glossary", [])),
            facts=dict(meta.get("facts") or {}),
            manifest=manifest,
        )

    def close(self) -> None:
        self.store._release(self._client)


class KnowledgeStore:
    """Generations of the knowledge base in Chroma, embedded (default) or on a Chroma server."""

    def __init__(self, *, root: Path, chroma_url: str | None = None, prefix: str = "bangfu") -> None:
        self.root = root
        self.chroma_url = chroma_url
        self.prefix = prefix
        self._server_client: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> KnowledgeStore:
        return cls(
            root=settings.data_dir / "kb", chroma_url=settings.chroma_url, prefix=settings.chroma_prefix
        )

    # -- clients ---------------------------------------------------------------------------------
    @property
    def is_server(self) -> bool:
        return bool(self.chroma_url)

    def ping(self) -> str | None:
        """None when the vector store answers (always, for the embedded store), else a short reason."""
        if not self.is_server:
            return None
        try:
            self._server().heartbeat()
        except Exception as exc:  # any client error means "not reachable"
            return f"chroma: {type(exc).__name__}"
        return None

    def _chroma_settings(self) -> Any:
        from chromadb.config import Settings as ChromaSettings

        return ChromaSettings(anonymized_telemetry=False, allow_reset=False)

    def _server(self) -> Any:
        with self._lock:
            if self._server_client is None:
                import chromadb

                url = urlparse(self.chroma_url or "")
                self._server_client = chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=self._chroma_settings(),
                )
            return self._server_client

    def _gen_dir(self, generation: str) -> Path:
        return self.root / "gens" / generation

    def _client_for(self, generation: str, *, create: bool) -> Any:
        if self.is_server:
            return self._server()
        import chromadb

        path = self._gen_dir(generation)
        if not create and not path.exists():
            raise ServiceUnavailable(f"knowledge generation {generation} is missing on disk")
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=self._chroma_settings())

    def _release(self, client: Any) -> None:
        if self.is_server:
            return
        with contextlib.suppress(Exception):
            client.close()

    def _collection_name(self, generation: str, kind: str) -> str:
        if self.is_server:
            return f"{self.prefix}-{generation}-{kind}"
        return f"{self.prefix}-{kind}"

    # -- pointer ---------------------------------------------------------------------------------
    @property
    def _pointer_file(self) -> Path:
        return self.root / "CURRENT.json"

    def read_pointer(self) -> Pointer | None:
        """The live generation, or None before the first ingest."""
        if self.is_server:
            try:
                col = self._server().get_collection(f"{self.prefix}-pointer")
            except Exception:
                return None
            got = col.get(ids=["current"], include=["documents"])
            docs = got.get("documents") or []
            return Pointer.from_json(docs[0]) if docs and docs[0] else None
        try:
            return Pointer.from_json(self._pointer_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def publish(self, pointer: Pointer) -> None:
        """Make `pointer.generation` live, atomically."""
        if self.is_server:
            col = self._server().get_or_create_collection(f"{self.prefix}-pointer", embedding_function=None)
            col.upsert(ids=["current"], embeddings=[[1.0, 0.0]], documents=[pointer.to_json()])
            return
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._pointer_file.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(pointer.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self._pointer_file)
        with contextlib.suppress(OSError):  # make the rename durable where the OS allows
            dir_fd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

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

    def generations(self) -> list[str]:
        """Generations present in the store, oldest first."""
        if self.is_server:
            names = [getattr(c, "name", c) for c in self._server().list_collections()]
            prefix = f"{self.prefix}-"
            gens = {n[len(prefix) :].rsplit("-", 1)[0] for n in names if n.startswith(prefix + "g")}
            return sorted(gens)
        base = self.root / "gens"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.exists() else []

    def drop(self, generation: str) -> None:
        """Delete a generation that is not live."""
        if self.is_server:
            client = self._server()
            for kind in ("chunks", "docs", "meta"):
                with contextlib.suppress(Exception):
                    client.delete_collection(self._collection_name(generation, kind))
            return
        shutil.rmtree(self._gen_dir(generation), ignore_errors=True)

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
