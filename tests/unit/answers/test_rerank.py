"""core.answers.rerank: the top fused chunks reordered by how much of the question each says in its own words."""

from __future__ import annotations

import numpy as np
import pytest

from core.answers.rerank import FEATURES, TEMPERATURE, ChunkTexts, Reranker, RerankWeights
from core.answers.retrieval import AnalyzedQuery, Legs, Retriever
from core.knowledge.live import KnowledgeView
from tests.helpers.views import one_chunk_view

DOCS = {
    "exhibition": (
        "北京市支持会展业的措施",
        "因疫情影响暂停举办的展会项目，年内继续在京举办的，按场租给予补贴。",
    ),
    "tourism": ("北京市旅游业纾困措施", "支持旅行社暂缓交纳质量保证金。举办展会期间做好疫情防控。"),
    "zhejiang": (
        "浙江省社会救助条例",
        "申请最低生活保障，由共同生活的家庭成员向户籍所在地的乡镇人民政府提出。",
    ),
    "national": ("最低生活保障审核确认办法", "申请农村低保，由户主向户籍所在地乡镇人民政府提出书面申请。"),
}


def _view() -> KnowledgeView:
    return one_chunk_view(DOCS)


def _legs(view: KnowledgeView, fused_first: str, other: str) -> tuple[Legs, dict[int, float]]:
    """Equal evidence from both legs for two chunks, the fusion slightly preferring `fused_first`."""
    index = {c.doc_id: i for i, c in enumerate(view.chunks)}
    a, b = index[fused_first], index[other]
    legs = Legs(
        bm25={a: 5.0, b: 5.0},
        dense={a: 0.80, b: 0.80},
        docs={fused_first: 3.0, other: 3.0},
        chunk_doc={a: fused_first, b: other},
        coverage=0.8,
    )
    return legs, {a: 1.0, b: 0.95}


def _order(view: KnowledgeView, question: str, legs: Legs, fused: dict[int, float]) -> list[str]:
    out = Reranker().rerank(view, AnalyzedQuery(question, question), legs, fused)
    return [view.chunks[i].doc_id for i, _ in sorted(out.items(), key=lambda kv: -kv[1])]


def test_the_weights_cover_every_feature() -> None:
    view = _view()
    legs, fused = _legs(view, "tourism", "exhibition")
    rows = Reranker().features(view, AnalyzedQuery("展会", "展会"), legs, fused)
    assert all(len(f) == len(FEATURES) == len(RerankWeights().vector()) for _, f in rows)


def test_the_chunk_that_says_the_question_in_its_own_words_rises() -> None:
    """Both chunks use 暂停, 举办, 展会; only one keeps the question's phrase and answers it in one sentence."""
    view = _view()
    legs, fused = _legs(view, "tourism", "exhibition")
    assert _order(view, "因疫情影响暂停举办的展会项目有何支持", legs, fused) == ["exhibition", "tourism"]


def test_a_chunk_that_states_the_asked_kind_of_fact_rises() -> None:
    """Two chunks on the same subject in the same words: the one with an amount answers 给多少钱."""
    view = one_chunk_view(
        {
            "how": ("危房改造办法", "危房改造补助由农户向乡镇人民政府提出申请。"),
            "amount": ("危房改造标准", "危房改造补助每户1.5万元，由乡镇人民政府发放。"),
        }
    )
    legs, fused = _legs(view, "how", "amount")
    rows = dict(Reranker().features(view, AnalyzedQuery("q", "危房改造补助给多少钱"), legs, fused))
    states = FEATURES.index("states")
    by_doc = {view.chunks[i].doc_id: f[states] for i, f in rows.items()}
    assert by_doc == {"how": 0.0, "amount": 1.0}
    assert _order(view, "危房改造补助给多少钱", legs, fused) == ["amount", "how"]
    # a question that asks for no such fact leaves the feature at 0 and the fused order as it was
    rows = dict(Reranker().features(view, AnalyzedQuery("q", "危房改造补助"), legs, fused))
    assert all(f[states] == 0.0 for f in rows.values())


def test_character_pairs_no_chunk_contains_do_not_drown_a_rare_place_name() -> None:
    """江农 and 保咋 of 浙江农村低保咋申请 straddle words: they would weigh most (no chunk has them) and dilute 浙江."""
    view = _view()
    texts = ChunkTexts(view)
    assert texts.bigram_idf("江农") is None and texts.bigram_idf("浙江") is not None
    legs, fused = _legs(view, "national", "zhejiang")
    rows = dict(Reranker().features(view, AnalyzedQuery("q", "浙江农村低保咋申请"), legs, fused))
    zhejiang = next(i for i, c in enumerate(view.chunks) if c.doc_id == "zhejiang")
    pairs = ["浙江", "江农", "农村", "村低", "低保", "保咋", "咋申", "申请"]
    known = [texts.bigram_idf(p) for p in pairs if texts.bigram_idf(p) is not None]
    assert len(known) == 5  # 浙江, 农村, 村低 (of 申请农村低保), 低保, 申请
    # the title's share is 浙江's weight over the pairs some chunk has, not over all eight
    assert rows[zhejiang][FEATURES.index("title")] == pytest.approx(texts.bigram_idf("浙江") / sum(known))


def test_scores_keep_the_fused_scale_and_the_rest_stays_below() -> None:
    view = _view()
    legs, fused = _legs(view, "tourism", "exhibition")
    fused[2] = 0.5  # a candidate the reranker does not see
    reranker = Reranker(depth=2)
    out = reranker.rerank(view, AnalyzedQuery("展会补贴", "展会补贴"), legs, fused)
    top = sorted(out.values(), reverse=True)
    assert top[0] == pytest.approx(1.0)
    assert out[2] < min(out[i] for i in (0, 1))  # below every reranked chunk, in its fused order
    scored = [
        RerankWeights().score(f)
        for _, f in reranker.features(view, AnalyzedQuery("展会补贴", "展会补贴"), legs, fused)
    ]
    assert top[1] == pytest.approx(np.exp((min(scored) - max(scored)) / TEMPERATURE))


def test_the_retriever_reranks_only_with_a_reranker_and_not_a_followups_carried_words() -> None:
    calls: list[str] = []

    class Spy:
        def rerank(self, view, aq, legs, fused):  # type: ignore[no-untyped-def]
            calls.append(aq.normalized)
            return fused

    class Reader:
        def query(self, vec, n, doc_ids=None):  # type: ignore[no-untyped-def]
            return []

    view = _view()
    view.reader = Reader()  # type: ignore[assignment]
    retriever = Retriever(lambda: _Embedder(), reranker=Spy())  # type: ignore[arg-type,return-value]
    retriever.search(view, AnalyzedQuery("展会补贴", "展会补贴"), k=2)
    retriever.search(view, AnalyzedQuery("要带啥", "要带啥 展会", carried="展会"), k=2)
    retriever.search(view, AnalyzedQuery("展会", "展会"), k=2, mode="bm25")
    assert calls == ["展会补贴"]


class _Embedder:
    model_id = "fake"
    dim = 4

    def embed_query(self, text: str) -> np.ndarray:
        return np.ones(4, dtype=np.float32) / 2


def test_a_question_in_words_the_notices_never_use_keeps_the_fused_order() -> None:
    view = _view()
    legs, fused = _legs(view, "tourism", "exhibition")
    question = "因疫情影响暂停举办的展会项目有何支持"
    legs.coverage = 0.05  # a villager's words: the fusion ranked it by meaning
    assert _order(view, question, legs, fused) == ["tourism", "exhibition"]
    legs.coverage = 0.8
    assert _order(view, question, legs, fused) == ["exhibition", "tourism"]
