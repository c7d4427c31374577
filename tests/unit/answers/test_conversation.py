"""core.answers.conversation: which questions are follow-ups, what they are resolved to, the state kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from core.answers.clarify import clarify_choices
from core.answers.conversation import (
    ConversationContext,
    Resolution,
    is_elliptic,
    next_context,
    resolve,
)
from core.answers.retrieval import RetrievedChunk, analyze
from core.answers.turn_hits import add_own_candidates, prefer_chunk, prefer_documents
from core.knowledge.glossary import Glossary
from core.knowledge.live import KnowledgeView
from tests.helpers.views import one_chunk_view

# A small corpus without a catalog: every document says how to apply and what to bring (generic words); each
# names its own topic (rare words).
DOCS = {
    "credit": (
        "小额信贷办法",
        "脱贫人口小额信贷每户最高5万元。申请材料：身份证、户口簿。向村民委员会提出申请。",
    ),
    "housing": (
        "危房改造办法",
        "农村危房改造D级危房每户补助3.5万元，C级危房每户补助1.5万元。申请材料：身份证、户口簿、鉴定报告。"
        "向村民委员会提出申请。",
    ),
    "medical": (
        "医保参保资助",
        "监测户参保资助每人190元，低保户每人266元，脱贫户不再享受定额资助。申请材料：身份证、户口簿。"
        "向村民委员会提出申请。",
    ),
    "elderly": (
        "高龄津贴办法",
        "80周岁至89周岁的老人每人每月50元。申请材料：身份证、户口簿。向村民委员会提出申请。",
    ),
}
GLOSSARY = [
    {"colloquial": "修房子", "terms": ["危房改造"]},
    {"colloquial": "贷款", "terms": ["小额信贷"]},
    {"colloquial": "贴出来", "terms": ["张榜公布"]},
]


def _view() -> KnowledgeView:
    return one_chunk_view(DOCS, GLOSSARY)


VIEW = _view()


def _resolve(question: str, context: ConversationContext | None, catalog: Any = ()) -> Resolution:
    return resolve(VIEW, analyze(question, Glossary(GLOSSARY, product=False)), context, catalog=catalog)


def _after(question: str, doc_id: str) -> ConversationContext:
    """The context after `question` was answered from `doc_id`."""
    turn = _resolve(question, None)
    assert turn.kind == "own"
    return next_context(None, question, turn, answered=True, doc_ids=[doc_id])


@pytest.mark.parametrize("question", ["要带什么材料", "找谁办", "给多少钱", "怎么申请", "那个呢", "多久能批"])
def test_a_follow_up_without_context_is_an_orphan(question: str) -> None:
    assert _resolve(question, None).kind == "orphan"
    assert _resolve(question, ConversationContext()).kind == "orphan"  # expired: nothing to read it by


@pytest.mark.parametrize("question", ["小额信贷怎么申请", "修房子给多少钱", "低保户呢", "比特币还会涨吗"])
def test_a_question_with_a_topic_is_answered_on_its_own_without_context(question: str) -> None:
    assert _resolve(question, None).kind == "own"


@pytest.mark.parametrize("question", ["要带什么材料", "那要带什么材料", "找谁办", "给多少钱", "怎么申请"])
def test_a_topicless_follow_up_carries_the_previous_topic(question: str) -> None:
    context = _after("小额信贷最多贷多少", "credit")
    turn = _resolve(question, context)
    assert turn.kind == "follow_up"
    assert "信贷" in turn.query and turn.query.startswith(question)  # its own asking words lead
    assert turn.prefer_docs == ("credit",)


def test_a_new_topic_resets() -> None:
    context = _after("小额信贷怎么申请", "credit")
    assert _resolve("危房改造补多少", context).kind == "own"  # a word the credit notice never uses
    assert _resolve("修房子要带啥材料", context).kind == "own"  # a glossary match leading elsewhere
    assert _resolve("高龄津贴给多少", context).query == "高龄津贴给多少"


@pytest.mark.parametrize("question", ["明天天气怎么样", "比特币还会涨吗", "红烧肉咋做才好吃"])
def test_an_unrelated_question_in_a_conversation_is_not_read_as_a_follow_up(question: str) -> None:
    turn = _resolve(question, _after("小额信贷怎么申请", "credit"))
    assert turn.kind == "own" and "信贷" not in turn.query


def test_a_follow_up_may_use_words_of_the_previous_document() -> None:
    context = _after("危房改造补多少", "housing")
    turn = _resolve("鉴定报告要带吗", context)  # 鉴定 only in the housing notice: still about it
    assert turn.kind == "follow_up" and "危房改造" in turn.query


def test_a_follow_up_with_a_colloquial_word_still_goes_on_about_the_previous_document() -> None:
    """贴出来 is a glossary word whose term no notice uses; 鉴定 is the housing notice's own: still about it."""
    turn = _resolve("鉴定报告贴出来几天", _after("危房改造补多少", "housing"))
    assert turn.kind == "follow_up" and "危房改造" in turn.query


def test_a_villagers_word_whose_policy_term_the_previous_document_uses_goes_on_about_it() -> None:
    """户口 is the low-income notice's word, not the election law's; but 外村户口 means 户籍不在本村, which the
    election law uses: after a question on the election it asks about the election."""
    docs = {
        "village": (
            "村民委员会组织法",
            "户籍不在本村，在本村居住一年以上，本人申请参加选举的，列入选民名单。",
        ),
        "dibao": ("低保办法", "申请低保应当提供户口簿和身份证。"),
    }
    glossary = [{"colloquial": "外村户口", "terms": ["户籍不在本村"]}]
    view = one_chunk_view(docs, glossary)

    def read(question: str, context: ConversationContext | None) -> Resolution:
        return resolve(view, analyze(question, Glossary(glossary, product=False)), context)

    first = read("选民名单多少年选一回", None)
    context = next_context(None, "选民名单多少年选一回", first, answered=True, doc_ids=["village"])
    assert read("外村户口住这的能选不", context).kind == "follow_up"


def test_a_question_whose_rarer_words_are_not_the_previous_documents_is_a_topic_of_its_own() -> None:
    """每户 is in the loan notice too, but 鉴定报告 only in the housing one: not a question about the loan."""
    turn = _resolve("鉴定报告每户都要吗", _after("小额信贷怎么申请", "credit"))
    assert turn.kind == "own" and "信贷" not in turn.query


@pytest.mark.parametrize(
    ("first", "doc_id", "then", "kept", "gone"),
    [
        ("房子鉴定成D级了 拆了重盖给多少钱", "housing", "那C级的呢", ["c级", "多少钱"], ["d级"]),
        ("脱贫户交医保今年还有补贴不", "medical", "那监测户呢", ["监测户", "医保"], ["脱贫户"]),
        ("八十多岁的老人有高龄补贴没", "elderly", "九十岁的呢", ["九十岁", "高龄"], ["八十多岁"]),
        ("养牛有奖补不", "credit", "那养羊呢", ["养羊", "奖补"], ["养牛"]),
    ],
)
def test_what_about_x_swaps_x_into_the_previous_question(
    first: str, doc_id: str, then: str, kept: list[str], gone: list[str]
) -> None:
    assert is_elliptic(then)
    turn = _resolve(then, _after(first, doc_id))
    assert turn.kind == "follow_up"
    query = turn.query.lower()
    assert all(k in query for k in kept), query
    assert not any(g in query for g in gone), query


def test_a_chain_of_follow_ups_stays_on_the_first_topic() -> None:
    context = _after("房子鉴定成D级了 拆了重盖给多少钱", "housing")
    second = _resolve("那C级的呢", context)
    context = next_context(context, "那C级的呢", second, answered=True, doc_ids=["housing"])
    third = _resolve("要带啥材料", context)
    assert third.kind == "follow_up" and "c" in third.query.lower() and "鉴定" in third.query
    assert "多少钱" not in third.query  # the new question asks what to bring, not how much


def test_state_holds_questions_topic_and_ids_and_survives_a_round_trip() -> None:
    context = _after("小额信贷怎么申请", "credit")
    context = next_context(
        context,
        "要带什么材料",
        _resolve("要带什么材料", context),
        answered=True,
        doc_ids=["credit", "credit"],
    )
    data = context.to_dict()
    assert data["questions"] == ["小额信贷怎么申请", "要带什么材料"]
    assert data["doc_ids"] == ["credit"] and "信贷" in data["topic"]
    assert set(data) == {"questions", "query", "topic", "doc_ids", "measure_ids", "pending", "lead_chunk"}
    assert ConversationContext.from_dict(data) == context


def test_an_unanswered_turn_keeps_the_earlier_topic_and_an_orphan_waits_for_its_topic() -> None:
    context = _after("小额信贷怎么申请", "credit")
    kept = next_context(context, "比特币", _resolve("比特币", context), answered=False)
    assert kept.query == context.query and kept.doc_ids == ("credit",)
    orphan = next_context(None, "要带什么材料", _resolve("要带什么材料", None), answered=False)
    assert orphan.pending == "要带什么材料" and not orphan.has_topic
    named = _resolve("小额信贷", orphan)  # the reply to "which measure?"
    assert named.kind == "own" and "要带什么材料" in named.query


def test_what_about_x_stands_the_previous_answers_lead_chunk_first() -> None:
    context = next_context(
        None,
        "脱贫户交医保今年还有补贴不",
        _resolve("脱贫户交医保今年还有补贴不", None),
        answered=True,
        doc_ids=["medical"],
        lead_chunk=VIEW.chunks[2].chunk_id,
    )
    turn = _resolve("那监测户呢", context)
    assert turn.prefer_chunk == VIEW.chunks[2].chunk_id
    assert not _resolve("要带什么材料", context).prefer_chunk  # only "那X呢" asks the same question again
    housing, credit, medical = VIEW.chunks[1], VIEW.chunks[0], VIEW.chunks[2]
    hits = [RetrievedChunk(housing, 1.0), RetrievedChunk(credit, 0.9)]
    lifted = prefer_chunk(VIEW, hits, medical.chunk_id)  # missed by retrieval: added at the best score
    assert [(h.chunk.doc_id, h.score) for h in lifted] == [
        ("medical", 1.0),
        ("housing", 1.0),
        ("credit", 0.9),
    ]
    assert prefer_chunk(VIEW, hits, "gone#0") == hits  # no longer in the knowledge base


def test_previous_documents_are_preferred_in_a_follow_up() -> None:
    housing, credit = VIEW.chunks[1], VIEW.chunks[0]
    hits = [RetrievedChunk(housing, 1.0), RetrievedChunk(credit, 0.9)]
    assert [h.chunk.doc_id for h in prefer_documents(hits, ["credit"])] == ["credit", "housing"]
    assert [h.chunk.doc_id for h in prefer_documents(hits, [])] == ["housing", "credit"]


@dataclass
class _Basis:
    doc_id: str
    quote: str = ""


@dataclass
class _Measure:
    id: str
    name: str
    basis: list[_Basis] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


def test_clarify_offers_the_measures_of_the_best_documents_with_a_question_to_ask() -> None:
    housing, credit, medical = VIEW.chunks[1], VIEW.chunks[0], VIEW.chunks[2]
    hits = [RetrievedChunk(c, 1.0) for c in (housing, housing, credit, medical)]
    catalog = [
        _Measure("microcredit", "脱贫人口小额信贷", [_Basis("credit")]),
        _Measure("housing-d", "危房改造（D级）", [_Basis("housing")]),
        _Measure("premium", "医保参保资助", [_Basis("medical")]),
        _Measure("elderly", "高龄津贴", [_Basis("elderly")]),
    ]
    choices = clarify_choices(hits, catalog, "要带什么材料")  # type: ignore[arg-type]
    assert [c["measure_id"] for c in choices] == ["housing-d", "microcredit", "premium"]
    assert choices[0]["name"] == "危房改造" and choices[0]["question"] == "危房改造要带什么材料"
    # Without a catalog the documents are offered.
    plain = clarify_choices(hits, [], "要带什么材料")
    assert [c["doc_id"] for c in plain] == ["housing", "credit", "medical"]
    assert plain[0]["measure_id"] is None


def test_a_follow_up_that_only_asks_is_in_scope_through_its_topic_and_one_with_words_of_its_own_is_judged() -> (
    None
):
    context = _after("小额信贷最多贷多少", "credit")
    assert _resolve("咋报名", context).topic_in_scope
    own_words = _resolve("鉴定报告要带吗", _after("危房改造补多少", "housing"))
    assert own_words.kind == "follow_up" and not own_words.topic_in_scope  # 鉴定报告: judged again
    assert not _resolve("那低保户呢", context).topic_in_scope  # something swapped in
    assert not _resolve("危房改造补多少", context).topic_in_scope  # a topic of its own


def test_a_follow_ups_own_words_add_candidates_from_the_previous_documents_below_the_topics() -> None:
    credit, housing, medical = VIEW.chunks[0], VIEW.chunks[1], VIEW.chunks[2]
    topic = [RetrievedChunk(credit, 1.0), RetrievedChunk(medical, 0.6)]
    own = [RetrievedChunk(housing, 1.0), RetrievedChunk(medical, 1.0)]
    merged = add_own_candidates(topic, own)
    assert [h.chunk.doc_id for h in merged] == ["credit", "medical", "housing"]
    assert merged[1].score == pytest.approx(0.6 + 0.25) and merged[2].score == pytest.approx(0.25)
    assert topic[1].score == 0.6  # the hits passed in are not changed
