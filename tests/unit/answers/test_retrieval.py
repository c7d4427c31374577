"""core.answers.retrieval fusion: lexical coverage of a question, and how it shares the weight between the legs."""

from __future__ import annotations

import numpy as np
import pytest

from core.answers.retrieval import QUERY_VECTORS, AnalyzedQuery, DocBM25Index, FusionConfig, Legs, Retriever
from core.knowledge.live import KnowledgeView
from core.text import tokenize
from tests.helpers.views import one_chunk_view

TEXTS = {
    "housing": "农村危房改造补助标准。C级危房维修加固，D级危房拆除重建。",
    "credit": "脱贫人口小额信贷额度5万元以下，财政贴息。",
    "water": "农村饮水安全工程维修养护，水费减免。",
}


def _view() -> KnowledgeView:
    return one_chunk_view({doc_id: (f"{doc_id} 办法", text) for doc_id, text in TEXTS.items()})


@pytest.fixture(scope="module")
def index() -> DocBM25Index:
    return DocBM25Index(_view())


def test_a_question_in_the_notices_words_is_fully_covered(index: DocBM25Index) -> None:
    assert index.coverage(tokenize("危房改造补助标准"), "housing") == pytest.approx(1.0)


def test_words_no_notice_uses_lower_the_coverage_most(index: DocBM25Index) -> None:
    plain = index.coverage(tokenize("危房 漏雨 塌了"), "housing")
    assert 0.0 < plain < 0.5  # 漏雨, 塌 are the rarest words of all: nowhere in the corpus
    assert index.coverage(tokenize("危房 维修"), "housing") > plain


def test_nothing_to_match_covers_nothing(index: DocBM25Index) -> None:
    assert index.coverage([], "housing") == 0.0
    assert index.coverage(tokenize("危房"), "no-such-doc") == 0.0


def _fused(coverage: float) -> dict[int, float]:
    # chunk 0 is BM25's (and its document's) favourite, chunk 1 the dense leg's
    legs = Legs(
        bm25={0: 10.0, 1: 2.0},
        dense={0: 0.80, 1: 0.90},
        docs={"housing": 8.0, "credit": 1.0},
        chunk_doc={0: "housing", 1: "credit"},
        coverage=coverage,
    )
    retriever = Retriever(lambda: None, FusionConfig())  # type: ignore[arg-type,return-value]
    return retriever._fuse(legs, "hybrid", AnalyzedQuery("q", "q"))


def test_a_colloquial_question_is_ranked_by_meaning() -> None:
    fused = _fused(coverage=0.0)
    assert fused[1] > fused[0]
    assert fused == {0: 0.0, 1: 1.0}  # no lexical coverage: the dense leg alone


def test_a_question_in_the_notices_words_is_ranked_by_words() -> None:
    fused = _fused(coverage=1.0)
    assert fused[0] > fused[1]


def test_the_lexical_share_grows_with_coverage() -> None:
    gaps = [(f := _fused(c))[0] - f[1] for c in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert gaps == sorted(gaps)


class _CountingEmbedder:
    """Deterministic vectors; counts the model calls."""

    def __init__(self) -> None:
        self.calls = 0

    def embed_query(self, text: str) -> np.ndarray:
        self.calls += 1
        return np.full(4, float(len(text)), dtype=np.float32)


def test_recent_query_vectors_are_kept_and_shared_read_only() -> None:
    model = _CountingEmbedder()
    retriever = Retriever(lambda: model)  # type: ignore[arg-type,return-value]
    first = retriever.embed_query("低保怎么申请")
    again = retriever.embed_query("低保怎么申请")
    assert model.calls == 1 and again is first and not first.flags.writeable
    retriever.embed_query("危房改造")
    assert model.calls == 2
    for i in range(QUERY_VECTORS):
        retriever.embed_query(f"问题{i}")
    retriever.embed_query("低保怎么申请")  # pushed out by newer questions: asked of the model again
    assert model.calls == 3 + QUERY_VECTORS
