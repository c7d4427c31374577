"""Retrieval quality and abstention on the project's own eval set (tests/eval/questions.yaml), real stack."""

from __future__ import annotations

from typing import Any

import pytest

from tests.eval.run_eval import evaluate, load_questions


@pytest.fixture(scope="module")
def result(corpus_services: Any) -> dict[str, Any]:
    return evaluate(corpus_services)


def test_hybrid_finds_the_right_document(result: dict[str, Any]) -> None:
    modes = result["modes"]
    assert result["questions"] >= 80
    assert modes["hybrid"]["hit@5"] >= 0.9
    assert (
        modes["hybrid"]["mrr"] >= modes["bm25"]["mrr"]
    )  # the fusion adds to plain BM25 on colloquial questions


def test_hostile_and_off_topic_questions_get_no_answer(corpus_services: Any, result: dict[str, Any]) -> None:
    answered = set(result["oos_answered"])
    data = load_questions()
    for item in data["out_of_scope"]:
        if item["kind"] in ("hostile", "off_topic"):
            assert item["q"] not in answered, item["q"]
    # Questions about services this corpus does not cover are refused most of the time; the few that share
    # many words with the policies are a known gap (see the closing note of the answers issue).
    not_covered = [i["q"] for i in data["out_of_scope"] if i["kind"] == "not_covered"]
    assert sum(q not in answered for q in not_covered) / len(not_covered) >= 0.5
    assert result["abstention_precision"] >= 0.8
