"""Retrieval quality and abstention on the project's own eval set (tests/eval/questions.yaml), real stack."""

from __future__ import annotations

from typing import Any

import pytest

from core.text import normalize_query
from tests.eval.run_eval import evaluate, load_questions


@pytest.fixture(scope="module")
def result(corpus_services: Any) -> dict[str, Any]:
    return evaluate(corpus_services)


def test_hybrid_finds_the_right_document(result: dict[str, Any]) -> None:
    modes = result["modes"]
    assert result["questions"] >= 80
    assert modes["hybrid"]["hit@5"] >= 0.9


@pytest.mark.parametrize("metric", ["hit@1", "hit@5", "mrr"])
def test_fusion_is_at_least_as_good_as_the_better_single_leg(result: dict[str, Any], metric: str) -> None:
    modes = result["modes"]
    better = max(modes["bm25"][metric], modes["dense"][metric])
    assert modes["hybrid"][metric] >= better - 1e-9, (metric, modes)


def test_every_out_of_scope_and_hostile_question_gets_no_answer(result: dict[str, Any]) -> None:
    assert result["oos_answered"] == []
    assert result["abstention_recall"] == 1.0
    assert result["abstention_precision"] >= 0.9  # refusing everything would not pass


def test_questions_about_other_offices_business_say_whom_to_ask(corpus_services: Any) -> None:
    view = corpus_services.knowledge.current()
    referrals = view.referrals
    referred = 0
    for item in load_questions()["out_of_scope"]:
        if item["kind"] == "hostile":
            continue
        referral = referrals.match(normalize_query(item["q"]))
        if referral is None:
            continue
        answer = corpus_services.answers.ask(view, item["q"])
        assert answer.abstained and answer.reason == "out_of_scope", item["q"]
        assert referral.office in answer.answer and not answer.citations
        referred += 1
    assert referred >= 3  # the set does ask about other offices' business
