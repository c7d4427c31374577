"""core.answers.places: a question that names a place prefers that place's documents."""

from __future__ import annotations

import numpy as np
import pytest

from core.answers.places import PLACE_PREFERENCE, named_places, prefer_named_places
from core.answers.retrieval import Retriever
from tests.helpers.views import one_chunk_view

DOCS = {
    "national": (
        "最低生活保障审核审批办法",
        "申请农村低保，由共同生活的家庭成员向乡镇人民政府提出书面申请。",
    ),
    "zhejiang": ("浙江省社会救助条例", "申请低保，由家庭成员向户籍所在地的乡镇人民政府提出。"),
    "chongqing": ("重庆市农村最低生活保障实施办法", "家庭收入按年计算。"),
}
VIEW = one_chunk_view(DOCS)


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("浙江农村低保咋申请", ("浙江",)),
        ("重庆这边种地的人家 吃低保收入是咋算的", ("重庆",)),
        ("绍兴市住房公积金管理中心通过哪些渠道受理业务", ("绍兴",)),
        ("农村低保咋申请", ()),
    ],
)
def test_the_places_a_question_names(question: str, places: tuple[str, ...]) -> None:
    assert named_places(question) == places


def test_candidates_whose_title_names_the_place_are_raised_and_nothing_changes_otherwise() -> None:
    scores = {0: 1.0, 1: 0.8, 2: 0.5}
    raised = prefer_named_places(VIEW.chunks, ("浙江",), scores)
    assert raised == {0: 1.0, 1: 0.8 * PLACE_PREFERENCE, 2: 0.5}
    assert prefer_named_places(VIEW.chunks, ("湖北",), scores) == scores  # no title names it
    assert prefer_named_places(VIEW.chunks, (), scores) == scores


class _Reader:
    def query(self, vec, n, doc_ids=None):  # type: ignore[no-untyped-def]
        return []  # the lexical legs alone


class _Embedder:
    model_id = "fake"
    dim = 4

    def embed_query(self, text: str) -> np.ndarray:
        return np.ones(4, dtype=np.float32) / 2


class _SecondStage:
    """Ranks as the real second stage did for 浙江农村低保咋申请: the national rule copies more of the question."""

    def rerank(self, view, aq, legs, fused):  # type: ignore[no-untyped-def]
        return {0: 1.0, 1: 0.8, 2: 0.5}


def test_search_puts_the_named_provinces_rule_first_after_the_second_stage() -> None:
    view = one_chunk_view(DOCS)
    view.reader = _Reader()  # type: ignore[assignment]
    retriever = Retriever(lambda: _Embedder(), reranker=_SecondStage())  # type: ignore[arg-type,return-value]
    plain = retriever.search(view, "农村低保咋申请", k=3)
    assert [h.chunk.doc_id for h in plain] == ["national", "zhejiang", "chongqing"]
    named = retriever.search(view, "浙江农村低保咋申请", k=3)
    assert [h.chunk.doc_id for h in named] == ["zhejiang", "national", "chongqing"]
