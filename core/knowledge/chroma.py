"""One generation's Chroma collections (chunks, docs, meta): written by the ingest job, read by the API.

Both store backends keep a generation in the same three collections; they differ only in which client holds
them and how the collections are named (`KnowledgeStore._client_for`, `_collection_name`). Document metadata
is flattened for Chroma field by field from `DocumentMeta` itself, so a new field needs no edit here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import typing
import warnings
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ServiceUnavailable
from core.knowledge.generation import Snapshot, StoredDocument
from core.knowledge.models import ChunkRecord, DocumentMeta

if TYPE_CHECKING:
    from core.knowledge.store import KnowledgeStore

logger = logging.getLogger(__name__)

_BATCH = 1000
# HNSW search is approximate, and a process that opens a collection rebuilds the part of the graph Chroma has not
# persisted yet, in parallel threads. With Chroma's default candidate list (ef_search 100) two API processes over
# the same generation could find different nearest chunks for one question: a restart or another replica answered
# it differently. A list of SEARCH_EF candidates makes the search practically exact on a county's corpus.
SEARCH_EF = 512
_HNSW = {"space": "cosine", "ef_search": SEARCH_EF}
_META_TYPES = typing.get_type_hints(DocumentMeta)
_META_FIELDS = tuple(f.name for f in dataclasses.fields(DocumentMeta))
_DATE_FIELDS = frozenset(name for name, tp in _META_TYPES.items() if date in (tp, *typing.get_args(tp)))
_BOOL_FIELDS = frozenset(name for name, tp in _META_TYPES.items() if tp is bool)
# Fields every document has (no default); a record written before one of them existed falls back to these.
_REQUIRED_FALLBACK = {"title": "doc_id"}


def meta_to_chroma(meta: DocumentMeta) -> dict[str, str]:
    """Flatten document metadata for Chroma (no None values allowed there): dates as ISO, yes as "true", the rest
    as text; empty and false values are left out."""
    out: dict[str, str] = {"doc_id": meta.doc_id}
    for name in _META_FIELDS:
        value = getattr(meta, name)
        if value and name != "doc_id":
            out[name] = (
                value.isoformat() if name in _DATE_FIELDS else "true" if name in _BOOL_FIELDS else str(value)
            )
    return out


def meta_from_chroma(data: dict[str, Any]) -> DocumentMeta:
    """Inverse of `meta_to_chroma`."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(DocumentMeta):
        raw = data.get(f.name)
        if f.name in _DATE_FIELDS:
            kwargs[f.name] = date.fromisoformat(raw) if raw else None
        elif f.name in _BOOL_FIELDS:
            kwargs[f.name] = raw in (True, "true", "True")
        elif f.default is dataclasses.MISSING:  # required text: never None
            if raw is None:
                raw = data[_REQUIRED_FALLBACK[f.name]] if f.name in _REQUIRED_FALLBACK else ""
            kwargs[f.name] = str(raw)
        else:
            kwargs[f.name] = raw or None
    return DocumentMeta(**kwargs)


def _unit(dim: int) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[0] = 1.0
    return v


def _widen_search(collection: Any) -> None:
    """Give a generation written before SEARCH_EF existed the same search list (a query-time setting)."""
    try:
        hnsw = (collection.configuration_json or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search") or 0) < SEARCH_EF:
            with warnings.catch_warnings():  # Chroma warns of its own legacy embedding-function field
                warnings.simplefilter("ignore", DeprecationWarning)
                collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
    except Exception:  # an older generation still answers, only less steadily
        logger.warning(
            "could not widen the dense search of %s", getattr(collection, "name", "?"), exc_info=True
        )


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
            name, embedding_function=None, configuration={"hnsw": dict(_HNSW)}
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
        _widen_search(self._chunks)

    def query(
        self, vector: np.ndarray, k: int, *, doc_ids: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the `k` nearest chunks (of the documents `doc_ids` only, if given)."""
        where = {"doc_id": {"$in": sorted(doc_ids)}} if doc_ids else None
        res = self._chunks.query(
            query_embeddings=vector.reshape(1, -1), n_results=k, where=where, include=["distances"]
        )
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
        manifest = meta["manifest"]
        return Snapshot(
            generation=self.generation,
            model_id=str(manifest.get("model_id", "")),
            documents=documents,
            chunks=self._load_chunks(documents),
            catalog_data=list(meta.get("catalog", [])),
            glossary_data=list(meta.get("glossary", [])),
            facts_data=dict(meta.get("facts") or {}),
            manifest=manifest,
        )

    def _load_chunks(self, documents: dict[str, StoredDocument]) -> list[ChunkRecord]:
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
        return chunks

    def close(self) -> None:
        self.store._release(self._client)
