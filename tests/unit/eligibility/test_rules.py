"""Rule parsing and three-valued evaluation (core.eligibility.rules)."""

from __future__ import annotations

from typing import Any

import pytest

from core.eligibility.rules import (
    AllOf,
    AnyOf,
    Condition,
    Not,
    Status,
    breakpoints,
    evaluate,
    parse_rule,
    requirement_text,
    rule_facts,
)
from core.errors import CorpusError
from tests.unit.eligibility.fixtures import REGISTRY

# The shared test registry (tests/unit/eligibility/fixtures.py) holds every fact these rules use.

POOR = {"any": [{"fact": "household_type", "in": ["脱贫户", "监测户"]}, {"fact": "is_dibao", "eq": True}]}
HOUSING = {"all": [POOR, {"fact": "housing_safety_grade", "in": ["C", "D"]}]}


def parse(raw: dict[str, Any]) -> Any:
    return parse_rule(raw, REGISTRY, where="measures/test.yaml")


def status(raw: dict[str, Any], facts: dict[str, Any]) -> Status:
    return evaluate(parse(raw), facts).status


# --- operators ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ({"fact": "household_type", "eq": "脱贫户"}, "脱贫户", True),
        ({"fact": "household_type", "eq": "脱贫户"}, "监测户", False),
        ({"fact": "household_type", "ne": "一般农户"}, "监测户", True),
        ({"fact": "household_type", "ne": "一般农户"}, "一般农户", False),
        ({"fact": "household_type", "in": ["脱贫户", "监测户"]}, "监测户", True),
        ({"fact": "household_type", "in": ["脱贫户", "监测户"]}, "一般农户", False),
        ({"fact": "household_type", "not_in": ["一般农户"]}, "脱贫户", True),
        ({"fact": "household_type", "not_in": ["一般农户"]}, "一般农户", False),
        ({"fact": "is_dibao", "eq": True}, True, True),
        ({"fact": "is_dibao", "eq": True}, False, False),
        ({"fact": "is_dibao", "eq": False}, False, True),
        ({"fact": "age", "gte": 18}, 17, False),
        ({"fact": "age", "gte": 18}, 18, True),
        ({"fact": "age", "lte": 65}, 65, True),
        ({"fact": "age", "lte": 65}, 66, False),
        ({"fact": "age", "between": [18, 65]}, 17, False),
        ({"fact": "age", "between": [18, 65]}, 18, True),
        ({"fact": "age", "between": [18, 65]}, 65, True),
        ({"fact": "age", "between": [18, 65]}, 66, False),
        ({"fact": "age", "eq": 60}, 60, True),
        ({"fact": "age", "in": [16, 60]}, 59, False),
    ],
)
def test_each_operator_decides_its_condition(condition: dict[str, Any], value: Any, expected: bool) -> None:
    outcome = evaluate(parse(condition), {condition["fact"]: value})
    assert outcome.status is (Status.ELIGIBLE if expected else Status.INELIGIBLE)
    assert outcome.missing == []
    assert len(outcome.reasons) == 1


def test_parse_builds_the_ast() -> None:
    rule = parse({"all": [POOR, {"not": {"fact": "has_bad_credit_record", "eq": True}}]})
    assert isinstance(rule, AllOf)
    assert isinstance(rule.children[0], AnyOf)
    assert isinstance(rule.children[1], Not)
    leaf = rule.children[0].children[0]
    assert isinstance(leaf, Condition)
    assert (leaf.fact, leaf.op, leaf.value) == ("household_type", "in", ("脱贫户", "监测户"))


# --- three-valued logic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, Status.NEED_INFO),
        # any false child decides an all-group, whatever else is missing
        ({"housing_safety_grade": "A"}, Status.INELIGIBLE),
        ({"household_type": "一般农户", "is_dibao": False}, Status.INELIGIBLE),
        # any true child decides an any-group
        ({"household_type": "脱贫户", "housing_safety_grade": "D"}, Status.ELIGIBLE),
        ({"is_dibao": True, "housing_safety_grade": "C"}, Status.ELIGIBLE),
        # undecided any-group keeps the all-group open
        ({"household_type": "一般农户", "housing_safety_grade": "D"}, Status.NEED_INFO),
        ({"household_type": "脱贫户"}, Status.NEED_INFO),
    ],
)
def test_kleene_all_and_any(facts: dict[str, Any], expected: Status) -> None:
    assert status(HOUSING, facts) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, Status.NEED_INFO),
        ({"has_bad_credit_record": True}, Status.INELIGIBLE),
        ({"has_bad_credit_record": False}, Status.ELIGIBLE),
    ],
)
def test_not_flips_and_keeps_unknown(facts: dict[str, Any], expected: Status) -> None:
    assert status({"not": {"fact": "has_bad_credit_record", "eq": True}}, facts) is expected


def test_double_negation_and_negated_groups() -> None:
    rule = {"not": {"any": [{"fact": "is_dibao", "eq": True}, {"not": {"fact": "age", "gte": 18}}]}}
    # not (dibao or age < 18) == (not dibao) and age >= 18
    assert status(rule, {"is_dibao": False, "age": 18}) is Status.ELIGIBLE
    assert status(rule, {"is_dibao": False, "age": 17}) is Status.INELIGIBLE
    assert status(rule, {"is_dibao": True}) is Status.INELIGIBLE
    assert status(rule, {"is_dibao": False}) is Status.NEED_INFO


def test_facts_outside_the_rule_are_ignored() -> None:
    assert status({"fact": "age", "gte": 18}, {"age": 30, "is_dibao": True}) is Status.ELIGIBLE


# --- missing -----------------------------------------------------------------------------------------


def test_missing_lists_every_unknown_fact_in_rule_order() -> None:
    outcome = evaluate(parse(HOUSING), {})
    assert outcome.missing == ["household_type", "is_dibao", "housing_safety_grade"]


def test_missing_skips_facts_of_decided_subconditions() -> None:
    # household type settles the any-group, so is_dibao can no longer change the outcome
    outcome = evaluate(parse(HOUSING), {"household_type": "监测户"})
    assert outcome.status is Status.NEED_INFO
    assert outcome.missing == ["housing_safety_grade"]


def test_missing_is_empty_once_decided() -> None:
    outcome = evaluate(parse(HOUSING), {"housing_safety_grade": "B"})
    assert outcome.status is Status.INELIGIBLE
    assert outcome.missing == []


def test_missing_is_deduplicated() -> None:
    rule = {"all": [{"fact": "age", "gte": 18}, {"fact": "is_dibao", "eq": True}, {"fact": "age", "lte": 65}]}
    assert evaluate(parse(rule), {}).missing == ["age", "is_dibao"]


# --- reasons -----------------------------------------------------------------------------------------


def test_reasons_name_the_conditions_met() -> None:
    outcome = evaluate(parse(HOUSING), {"household_type": "脱贫户", "housing_safety_grade": "D"})
    assert outcome.reasons == [
        "户类型是脱贫户（符合：户类型属于脱贫户、监测户）",
        "住房安全等级是D级（符合：住房安全等级属于C级、D级）",
    ]


def test_reasons_name_the_conditions_failed() -> None:
    outcome = evaluate(parse({"fact": "age", "between": [18, 65]}), {"age": 66})
    assert outcome.reasons == ["年龄为66岁，不在18至65周岁之间"]
    outcome = evaluate(parse(HOUSING), {"household_type": "一般农户", "is_dibao": False})
    assert outcome.reasons == ["户类型是一般农户，不属于脱贫户、监测户", "不是低保户"]


def test_reasons_only_give_the_failed_condition_of_an_all_group() -> None:
    outcome = evaluate(parse(HOUSING), {"household_type": "脱贫户", "housing_safety_grade": "B"})
    assert outcome.reasons == ["住房安全等级是B级，不属于C级、D级"]


def test_reasons_for_need_info_say_what_is_known_and_what_is_needed() -> None:
    outcome = evaluate(parse(HOUSING), {"household_type": "脱贫户"})
    assert outcome.reasons == [
        "户类型是脱贫户（符合：户类型属于脱贫户、监测户）",
        "还需要知道住房安全等级（条件：住房安全等级属于C级、D级）",
    ]


def test_a_label_names_the_condition() -> None:
    rule = {"fact": "age", "between": [18, 65], "label": "借款人年龄在18至65周岁"}
    assert evaluate(parse(rule), {"age": 40}).reasons == ["年龄为40岁（符合：借款人年龄在18至65周岁）"]
    assert evaluate(parse(rule), {"age": 17}).reasons == ["年龄为17岁，不符合：借款人年龄在18至65周岁"]
    assert evaluate(parse(rule), {}).reasons == ["还需要知道年龄（条件：借款人年龄在18至65周岁）"]


def test_a_negated_condition_speaks_about_the_effective_requirement() -> None:
    rule = parse({"not": {"fact": "has_bad_credit_record", "eq": True}})
    assert evaluate(rule, {"has_bad_credit_record": False}).reasons == ["没有不良信用记录"]
    assert evaluate(rule, {"has_bad_credit_record": True}).reasons == ["有不良信用记录"]
    assert evaluate(rule, {}).reasons == ["还需要知道是否有不良信用记录（条件：没有不良信用记录）"]
    age = parse({"not": {"fact": "age", "gte": 66}})
    assert evaluate(age, {"age": 70}).reasons == ["年龄为70岁，在66周岁及以上"]
    assert evaluate(age, {"age": 30}).reasons == ["年龄为30岁（符合：年龄不到66周岁）"]


def test_a_labelled_group_speaks_with_its_label() -> None:
    rule = parse({**POOR, "label": "属于脱贫户、监测户或低保户"})
    assert evaluate(rule, {"is_dibao": True}).reasons == ["符合：属于脱贫户、监测户或低保户"]
    failed = evaluate(rule, {"household_type": "一般农户", "is_dibao": False}).reasons
    assert failed == [
        "不符合：属于脱贫户、监测户或低保户（户类型是一般农户，不属于脱贫户、监测户；不是低保户）"
    ]


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ({"fact": "household_type", "eq": "脱贫户"}, "户类型是脱贫户"),
        ({"fact": "household_type", "ne": "一般农户"}, "户类型不是一般农户"),
        ({"fact": "household_type", "not_in": ["脱贫户", "监测户"]}, "户类型不属于脱贫户、监测户"),
        ({"fact": "age", "gte": 18}, "年龄在18周岁及以上"),
        ({"fact": "age", "lte": 65}, "年龄在65周岁及以下"),
        ({"fact": "is_dibao", "eq": True}, "是低保户"),
        ({"fact": "is_tekun", "ne": True}, "不是特困供养人员"),
        ({"fact": "has_bad_credit_record", "eq": False}, "没有不良信用记录"),
    ],
)
def test_requirement_text(condition: dict[str, Any], text: str) -> None:
    cond = parse(condition)
    assert requirement_text(cond) == text


def test_reasons_are_deduplicated() -> None:
    rule = {"any": [{"fact": "is_dibao", "eq": True}, {"fact": "is_dibao", "eq": True}]}
    assert evaluate(parse(rule), {"is_dibao": False}).reasons == ["不是低保户"]


# --- inspection --------------------------------------------------------------------------------------


def test_rule_facts_and_breakpoints() -> None:
    rule = parse(
        {
            "all": [
                HOUSING,
                {"fact": "age", "between": [18, 65]},
                {"not": {"fact": "age", "lte": 70}},
                {"fact": "age", "eq": 60},
            ]
        }
    )
    assert rule_facts(rule) == ["household_type", "is_dibao", "housing_safety_grade", "age"]
    assert breakpoints(rule, "age") == {18, 66, 71, 60, 61}
    assert breakpoints(rule, "household_type") == set()


# --- parse errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"fact": "income", "eq": 1}, "unknown fact 'income'"),
        ({"fact": "household_type", "eq": "贫困户"}, "not allowed for 'household_type'"),
        ({"fact": "household_type", "in": ["脱贫户", "五保户"]}, "not allowed for 'household_type'"),
        ({"fact": "is_dibao", "eq": "是"}, "bool fact"),
        ({"fact": "age", "gte": "18"}, "int fact"),
        ({"fact": "age", "gte": True}, "int fact"),
        ({"fact": "age", "gt": 18}, "needs exactly one operator"),
        ({"fact": "age", "gte": 18, "lte": 65}, "needs exactly one operator"),
        ({"fact": "age"}, "needs exactly one operator"),
        ({"fact": "household_type", "gte": "脱贫户"}, "needs an int fact"),
        ({"fact": "age", "between": [65, 18]}, "low 65 above high 18"),
        ({"fact": "age", "between": [18]}, "list \\[low, high\\]"),
        ({"fact": "household_type", "in": []}, "non-empty list"),
        ({"fact": "household_type", "in": "脱贫户"}, "non-empty list"),
        ({"all": []}, "non-empty list"),
        ({"any": {"fact": "age", "gte": 1}}, "non-empty list"),
        ({"xor": [{"fact": "age", "gte": 1}]}, "exactly one of all/any/not"),
        ({"all": [{"fact": "age", "gte": 1}], "any": [{"fact": "age", "gte": 1}]}, "exactly one of"),
        ({"not": ["oops"]}, "must be a mapping"),
        ({"fact": "age", "gte": 1, "label": ""}, "`label` must be a non-empty string"),
    ],
)
def test_parse_errors_name_the_measure_and_the_problem(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(CorpusError, match=message) as info:
        parse_rule(raw, REGISTRY, where="measures/microcredit.yaml")
    assert "measures/microcredit.yaml" in info.value.detail


def test_parse_error_points_into_the_tree() -> None:
    raw = {"all": [POOR, {"any": [{"fact": "age", "gte": 18}, {"fact": "nope", "eq": 1}]}]}
    with pytest.raises(CorpusError, match=r"eligibility\.all\[1\]\.any\[1\]"):
        parse(raw)


def test_a_rule_must_be_a_mapping() -> None:
    with pytest.raises(CorpusError, match="must be a mapping"):
        parse_rule([{"fact": "age", "gte": 1}], REGISTRY, where="m")
