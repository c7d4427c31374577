"""POST /v1/eligibility over the real app and corpus: the two question kinds a portal or the bot must handle."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.schemas import EligibilityOut, ResultOut
from core.eligibility.screening import MAX_CHECKLIST_ITEMS, MAX_INTERVIEW_QUESTIONS

QUESTION_KEYS = {"kind", "fact", "facts", "label", "type", "question", "options", "resolves"}


def screen(client: TestClient, facts: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/v1/eligibility", json={"facts": facts})
    assert r.status_code == 200, r.text
    EligibilityOut.model_validate(r.json())  # the body matches the documented schema
    return dict(r.json())


def test_the_first_question_is_a_choice(api_client: TestClient) -> None:
    question = screen(api_client, {})["next_question"]
    assert set(question) == QUESTION_KEYS
    assert question["kind"] == "choice"
    assert question["fact"] == "household_type" and question["facts"] == ["household_type"]
    assert [o["value"] for o in question["options"]] == ["脱贫户", "监测户", "一般农户"]
    assert all(o["fact"] is None for o in question["options"])


def test_a_checklist_lists_yes_no_facts_with_their_statements(api_client: TestClient) -> None:
    question = screen(api_client, {"household_type": "脱贫户", "schooling_stage": "不在读"})["next_question"]
    assert set(question) == QUESTION_KEYS
    assert question["kind"] == "checklist" and question["fact"] is None and question["type"] == "bool"
    assert question["question"] == "下面这些情况，您家有吗？有的都选上，都没有就直接点“选好了”。"
    options = question["options"]
    assert 2 <= len(options) <= MAX_CHECKLIST_ITEMS
    assert question["facts"] == [o["fact"] for o in options]
    assert all(o["value"] == o["fact"] for o in options)
    statements = {
        name: spec.get("statement") for name, spec in api_client.get("/v1/facts").json()["facts"].items()
    }
    assert all(o["label"] == statements[o["fact"]] for o in options)
    assert "wants_loan" in question["facts"] and "has_bad_credit_record" not in question["facts"]
    assert question["resolves"] >= len(options) // 2


def test_a_checklist_answer_is_plain_facts(api_client: TestClient) -> None:
    facts: dict[str, Any] = {"household_type": "脱贫户", "schooling_stage": "不在读"}
    question = screen(api_client, facts)["next_question"]
    # ticked → true, every other listed fact → false, as the widget and the bot send them
    facts.update({f: f == "has_disability" for f in question["facts"]})
    body = screen(api_client, facts)
    results = {r["measure_id"]: r for r in body["results"]}
    # 持证 alone is not enough for the care subsidy (第五条: 一级或者二级、需要长期照护): it is asked next
    assert results["severe-disability-care-subsidy"]["status"] == "need_info"
    assert results["drinking-water-repair"]["status"] == "ineligible"
    assert results["temporary-assistance"]["status"] == "ineligible"
    assert not set(body["next_question"]["facts"]) & set(facts)
    while "has_severe_disability" not in (question := body["next_question"])["facts"]:
        facts.update({f: False for f in question["facts"]} if question["kind"] == "checklist" else {})
        if question["kind"] == "choice":
            facts[question["fact"]] = question["options"][-1]["value"]
        body = screen(api_client, facts)
    facts.update({f: f == "has_severe_disability" for f in body["next_question"]["facts"]})
    care = {r["measure_id"]: r for r in screen(api_client, facts)["results"]}[
        "severe-disability-care-subsidy"
    ]
    assert care["status"] == "eligible"


def test_results_say_how_much_a_measure_gives(api_client: TestClient) -> None:
    facts = {"has_disability": True, "has_severe_disability": True}
    r = api_client.post(
        "/v1/eligibility", json={"facts": facts, "measure_ids": ["severe-disability-care-subsidy"]}
    )
    care = EligibilityOut.model_validate(r.json()).results[0]
    assert care.status == "eligible"
    assert care.amount == "每人每月90元；已领工伤保险生活护理费等同类护理补贴的不重复发"
    assert care.amount_value is not None and (care.amount_value.value, care.amount_value.unit) == (
        90,
        "元/月",
    )
    body = screen(api_client, {"household_type": "脱贫户"})
    by_id = {res["measure_id"]: res for res in body["results"]}
    assert by_id["housing-renovation-d"]["amount_value"] == {"value": 3.5, "unit": "万元/户", "bound": None}
    assert by_id["pv-hardship-assistance"]["amount_value"]["bound"] == "up_to"
    # a loan gives no money: its amount is the catalog's text only
    assert by_id["microcredit"]["amount_value"] is None and "5万元" in by_id["microcredit"]["amount"]
    assert all(set(res) >= {"amount", "amount_value"} for res in body["results"])


def test_results_name_the_conditions_checked_when_applying(api_client: TestClient) -> None:
    """连续务工3个月 is not asked; an eligible 交通补贴 says it is checked on application, other results carry none."""
    facts = {"household_type": "脱贫户", "works_away_from_home": True}
    body = screen(api_client, facts)
    by_id = {res["measure_id"]: ResultOut.model_validate(res) for res in body["results"]}
    transport = by_id["migrant-transport-subsidy"]
    assert transport.status == "eligible"
    assert any("连续务工3个月" in item for item in transport.to_confirm)
    assert by_id["dibao"].to_confirm == []


def test_a_client_reaches_every_decision_within_the_budget(api_client: TestClient) -> None:
    """Walk the interview over HTTP as a client does, ticking the first item of each checklist."""
    for household_type in ("脱贫户", "监测户", "一般农户"):
        facts: dict[str, Any] = {}
        asked = 0
        while (question := screen(api_client, facts)["next_question"]) is not None:
            asked += 1
            assert not set(question["facts"]) & set(facts)
            if question["kind"] == "checklist":
                first = question["options"][0]["fact"]
                facts.update({f: f == first for f in question["facts"]})
            elif question["fact"] == "household_type":
                facts["household_type"] = household_type
            else:
                facts[question["fact"]] = question["options"][-1]["value"]
        assert asked <= MAX_INTERVIEW_QUESTIONS
        results = screen(api_client, facts)["results"]
        assert results and all(r["status"] != "need_info" for r in results)


def test_clients_that_send_facts_one_by_one_keep_working(api_client: TestClient) -> None:
    facts = {
        "household_type": "一般农户",
        "has_disability": "是",
        "has_severe_disability": "是",
        "is_dibao": "否",
    }
    body = screen(api_client, facts)
    results = {r["measure_id"]: r["status"] for r in body["results"]}
    assert results["severe-disability-care-subsidy"] == "eligible"
    bad = api_client.post("/v1/eligibility", json={"facts": {"has_disability": "有点"}})
    assert bad.status_code == 422 and "has_disability" in bad.json()["detail"]
    unknown = api_client.post("/v1/eligibility", json={"facts": {"wants_loan_now": True}})
    assert unknown.status_code == 422 and "wants_loan_now" in unknown.json()["detail"]


def test_age_reasons_name_the_range_not_the_button_value(api_client: TestClient) -> None:
    facts = {"household_type": "脱贫户", "age": 18, "wants_loan": True, "has_bad_credit_record": False}
    r = api_client.post("/v1/eligibility", json={"facts": facts, "measure_ids": ["microcredit"]})
    reasons = r.json()["results"][0]["reasons"]
    assert "年龄在18至65周岁之间（符合：借款人年龄在18至65周岁）" in reasons
    assert not any("18岁" in reason for reason in reasons)


def test_openapi_documents_both_question_kinds(api_client: TestClient) -> None:
    schemas = api_client.get("/openapi.json").json()["components"]["schemas"]
    question = schemas["NextQuestionOut"]["properties"]
    assert (
        question["kind"]["enum"] == ["choice", "checklist"] and "checklist" in question["kind"]["description"]
    )
    assert "facts" in schemas["NextQuestionOut"]["required"] and question["facts"]["description"]
    option = schemas["OptionOut"]["properties"]
    assert "checklist" in option["fact"]["description"]
