"""The LangChain retriever over the real corpus."""

from __future__ import annotations

from typing import Any

from core.answers.langchain import BangfuRetriever


def test_invoke_returns_cited_passages(corpus_services: Any) -> None:
    retriever = BangfuRetriever(services=corpus_services, k=3)
    docs = retriever.invoke("借钱搞养殖有啥政策")
    assert len(docs) == 3
    view = corpus_services.knowledge.current()
    for d in docs:
        text = view.document(d.metadata["doc_id"]).text
        assert text[d.metadata["start"] : d.metadata["end"]] == d.page_content
        assert d.metadata["title"] and d.metadata["doc_number"]
    assert "qinghe-microcredit-2023" in {d.metadata["doc_id"] for d in docs}


def test_filters_compose(corpus_services: Any) -> None:
    only_housing = BangfuRetriever(services=corpus_services, k=5, category="住房安全").invoke("补助多少钱")
    assert only_housing and {
        d.metadata["category"] if "category" in d.metadata else d.metadata["doc_id"] for d in only_housing
    } == {"qinghe-housing-safety-2023"}
    in_force = BangfuRetriever(services=corpus_services, k=10, in_force_only=True).invoke("边缘户 监测")
    assert all(d.metadata["in_force"] for d in in_force)
    assert "qinghe-monitoring-2021" not in {d.metadata["doc_id"] for d in in_force}
