"""The reranker on the real services over policies/ (real Chroma, the bundled embedding model)."""

from __future__ import annotations

from typing import Any

from core.answers.rerank import Reranker
from core.answers.retrieval import Retriever


def test_the_services_search_with_the_reranker_and_build_its_tables_at_reload(corpus_services: Any) -> None:
    retriever: Retriever = corpus_services.retriever
    assert isinstance(retriever.reranker, Reranker)
    view = corpus_services.knowledge.current()
    # the warmers built the reranker's tables and the document index before the view was served
    assert {"rerank_texts", "doc_bm25"} <= set(view._derived)
    question = "C级危房维修加固每户补助多少"
    aq = retriever.analyze(view, question)
    legs = retriever.legs(view, aq, retriever.config.candidates)
    fused = retriever._fuse(legs, "hybrid", aq)
    expected = sorted(retriever.reranker.rerank(view, aq, legs, fused).items(), key=lambda kv: -kv[1])[:5]
    hits = retriever.search(view, question, k=5)
    assert [h.chunk.chunk_id for h in hits] == [view.chunks[i].chunk_id for i, _ in expected]
    assert hits[0].score == 1.0  # the reranked scale: the best is 1
