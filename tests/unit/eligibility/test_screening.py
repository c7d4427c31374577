"""The screening service: results, missing facts, citations, the design shape, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.eligibility.catalog import Catalog
from core.eligibility.screening import EligibilityService
from core.errors import InvalidInput, NotFound
from tests.unit.eligibility.fixtures import (
    ASK,
    CATALOG_DICTS,
    DOCS,
    HOUSING_D,
    NO,
    REGISTRY,
    YES,
    screen_one,
)


def test_empty_facts_leave_every_result_need_info_with_missing(service: EligibilityService) -> None:
    result = service.screen({})
    assert [r.measure_id for r in result.results] == sorted(m["id"] for m in CATALOG_DICTS)
    for item in result.results:
        assert item.status is ASK
        assert item.missing
        assert all(reason.startswith("还需要知道") for reason in item.reasons)


def test_decided_results_ignore_unrelated_missing_facts(service: EligibilityService) -> None:
    result = screen_one(service, "microcredit", {"household_type": "一般农户"})
    assert result.status is NO
    assert result.missing == []
    assert result.reasons == ["户类型是一般农户，不属于脱贫户、监测户"]


def test_citations_carry_the_basis_in_ask_shape(service: EligibilityService) -> None:
    result = screen_one(service, "housing-renovation-d", {})
    assert [c.as_dict() for c in result.citations] == [
        {
            "n": 1,
            "doc_id": "t-housing",
            "title": "测试县农村住房安全保障办法",
            "doc_number": "测住建〔2023〕1号",
            "section": "第五条",
            "text": HOUSING_D["basis"][0]["quote"],
            "score": 1.0,
        },
        {
            "n": 2,
            "doc_id": "t-housing",
            "title": "测试县农村住房安全保障办法",
            "doc_number": "测住建〔2023〕1号",
            "section": "第六条",
            "text": "D级危房拆除重建，每户补助3.5万元",
            "score": 1.0,
        },
    ]
    for citation in result.citations:
        assert citation.text in DOCS[citation.doc_id][1]


def test_citation_of_an_unknown_document_falls_back_to_its_id(
    policies: Path, caplog: pytest.LogCaptureFixture
) -> None:
    service = EligibilityService(Catalog.load(policies, REGISTRY), REGISTRY, lambda _doc_id: None)
    citation = screen_one(service, "microcredit", {}).citations[0]
    assert (citation.title, citation.doc_number) == ("t-credit", None)
    assert "t-credit" in caplog.text


def test_to_dict_matches_the_design_shape(service: EligibilityService) -> None:
    body = json.loads(json.dumps(service.screen({"household_type": "脱贫户"}).to_dict(), ensure_ascii=False))
    assert set(body) == {"results", "next_question"}
    item = body["results"][0]
    assert set(item) == {"measure_id", "name", "status", "reasons", "missing", "citations"} | {
        "amount",  # additive to DESIGN.md's shape: what the measure gives
        "amount_value",
        "to_confirm",  # additive: conditions checked when applying, not asked
    }
    assert set(item["citations"][0]) == {"n", "doc_id", "title", "doc_number", "section", "text", "score"}
    question = body["next_question"]
    assert set(question) == {"kind", "fact", "facts", "label", "type", "question", "options", "resolves"}
    assert question["kind"] == "choice" and question["facts"] == [question["fact"]]
    assert question["options"][0].keys() == {"label", "value"}


def test_measure_ids_select_dedupe_and_keep_order(service: EligibilityService) -> None:
    result = service.screen({}, ["microcredit", "housing-renovation-c", "microcredit"])
    assert [r.measure_id for r in result.results] == ["microcredit", "housing-renovation-c"]
    assert service.screen({}, []).to_dict() == {"results": [], "next_question": None}


def test_unknown_measure_is_not_found(service: EligibilityService) -> None:
    with pytest.raises(NotFound, match="no-such"):
        service.screen({}, ["microcredit", "no-such"])


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"age": "六十"}, "'age'"),
        ({"household_type": "贫困户"}, "'household_type' must be one of"),
        ({"income": 100}, "Unknown fact 'income'"),
    ],
)
def test_bad_facts_are_invalid_input(
    service: EligibilityService, facts: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        service.screen(facts)


def test_facts_arrive_as_client_strings_and_nulls(service: EligibilityService) -> None:
    facts = {"household_type": "脱贫户", "age": "40", "has_bad_credit_record": "否", "is_dibao": None}
    assert screen_one(service, "microcredit", facts).status is YES


def test_facts_must_be_a_mapping(service: EligibilityService) -> None:
    with pytest.raises(InvalidInput, match="`facts` must be an object"):
        service.screen(["age"])  # type: ignore[arg-type]
