"""Per-measure tables: each fixture measure decided over its facts, with plain reasons."""

from __future__ import annotations

from typing import Any

import pytest

from core.eligibility.rules import Status
from core.eligibility.screening import EligibilityService
from tests.unit.eligibility.fixtures import (
    ASK,
    GOOD_BORROWER,
    HOUSEHOLD_TYPES,
    NO,
    YES,
    screen_one,
    single_measure_service,
)


@pytest.mark.parametrize(
    ("age", "expected", "reason"),
    [
        (17, NO, "年龄不到18周岁，不符合：借款人年龄在18至65周岁"),
        (18, YES, "年龄在18至65周岁之间（符合：借款人年龄在18至65周岁）"),
        (65, YES, "年龄在18至65周岁之间（符合：借款人年龄在18至65周岁）"),
        (66, NO, "年龄超过65周岁，不符合：借款人年龄在18至65周岁"),
    ],
)
def test_microcredit_age_boundaries(
    service: EligibilityService, age: int, expected: Status, reason: str
) -> None:
    result = screen_one(service, "microcredit", {**GOOD_BORROWER, "age": age})
    assert result.status is expected
    assert reason in result.reasons
    assert result.missing == []


def test_age_reasons_never_claim_an_age_the_user_did_not_give(service: EligibilityService) -> None:
    """A bucket button sends one value for a whole range, so every age of a bucket must give its reasons."""
    base = {**GOOD_BORROWER, "labor_capacity": "弱劳动力"}
    ids = ["microcredit", "public-welfare-job"]
    buckets = [(0, 15), (16, 17), (18, 60), (61, 65), (66, 120)]
    for (low, high), option in zip(buckets, service.options("age"), strict=True):

        def reasons(age: int) -> list[tuple[str, ...]]:
            return [tuple(r.reasons) for r in service.screen({**base, "age": age}, ids).results]

        sent = reasons(int(option.value))
        assert all(reasons(age) == sent for age in range(low, high + 1)), option.label
        assert not any(f"{int(option.value)}岁" in reason for item in sent for reason in item), sent


def test_unlabelled_int_conditions_speak_of_the_threshold_not_the_value() -> None:
    rule = {"all": [{"fact": "age", "gte": 60}, {"not": {"fact": "age", "between": [18, 30]}}]}
    service = single_measure_service(rule)
    assert service.screen({"age": 75}).results[0].reasons == [
        "年龄在60周岁及以上",
        "年龄超过30周岁（符合：年龄不在18至30周岁之间）",
    ]
    assert service.screen({"age": 45}).results[0].reasons == ["年龄不到60周岁"]


@pytest.mark.parametrize(
    ("facts", "expected", "missing"),
    [
        ({"household_type": "监测户", "age": 40, "has_bad_credit_record": False}, YES, []),
        ({"household_type": "一般农户"}, NO, []),
        ({"household_type": "脱贫户", "age": 40, "has_bad_credit_record": True}, NO, []),
        ({"household_type": "脱贫户", "age": 40}, ASK, ["has_bad_credit_record"]),
        ({"household_type": "脱贫户"}, ASK, ["age", "has_bad_credit_record"]),
        ({"age": 70}, NO, []),
        ({}, ASK, ["household_type", "age", "has_bad_credit_record"]),
    ],
)
def test_microcredit_household_and_credit(
    service: EligibilityService, facts: dict[str, Any], expected: Status, missing: list[str]
) -> None:
    result = screen_one(service, "microcredit", facts)
    assert (result.status, result.missing) == (expected, missing)


@pytest.mark.parametrize(
    ("grade", "d_status", "c_status"),
    [("A", NO, NO), ("B", NO, NO), ("C", NO, YES), ("D", YES, NO)],
)
@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_housing_each_grade_and_household_type(
    service: EligibilityService, grade: str, d_status: Status, c_status: Status, household_type: str
) -> None:
    facts = {
        "household_type": household_type,
        "is_dibao": False,
        "is_tekun": False,
        "housing_safety_grade": grade,
    }
    by_id = service.screen(facts, ["housing-renovation-d", "housing-renovation-c"]).by_id()
    covered = household_type != "一般农户"
    assert by_id["housing-renovation-d"].status is (d_status if covered else NO)
    assert by_id["housing-renovation-c"].status is (c_status if covered else NO)


@pytest.mark.parametrize(
    ("facts", "expected", "missing"),
    [
        ({"household_type": "一般农户", "is_dibao": True, "housing_safety_grade": "D"}, YES, []),
        ({"household_type": "一般农户", "is_tekun": True, "housing_safety_grade": "D"}, YES, []),
        ({"household_type": "一般农户", "is_dibao": False, "is_tekun": False}, NO, []),
        ({"household_type": "一般农户", "housing_safety_grade": "D"}, ASK, ["is_dibao", "is_tekun"]),
        ({"household_type": "一般农户", "is_dibao": False, "housing_safety_grade": "D"}, ASK, ["is_tekun"]),
        ({"is_tekun": True}, ASK, ["housing_safety_grade"]),
        ({"housing_safety_grade": "B"}, NO, []),
        ({"household_type": "一般农户"}, ASK, ["is_dibao", "is_tekun", "housing_safety_grade"]),
    ],
)
def test_housing_dibao_and_tekun_paths(
    service: EligibilityService, facts: dict[str, Any], expected: Status, missing: list[str]
) -> None:
    result = screen_one(service, "housing-renovation-d", facts)
    assert (result.status, result.missing) == (expected, missing)


def test_housing_reasons_name_grade_and_household(service: EligibilityService) -> None:
    eligible = screen_one(service, "housing-renovation-d", {"is_dibao": True, "housing_safety_grade": "D"})
    assert eligible.reasons == ["是低保户", "住房安全等级是D级"]
    refused = screen_one(
        service, "housing-renovation-d", {"household_type": "脱贫户", "housing_safety_grade": "C"}
    )
    assert refused.reasons == ["住房安全等级是C级，不是D级"]


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        ("普通劳动力", NO),
        ("弱劳动力", YES),
        ("半劳动力", YES),
        ("丧失劳动力", NO),
        ("无劳动力", NO),
    ],
)
def test_public_welfare_job_each_labor_capacity(
    service: EligibilityService, capacity: str, expected: Status
) -> None:
    result = screen_one(
        service, "public-welfare-job", {"household_type": "监测户", "labor_capacity": capacity, "age": 50}
    )
    assert result.status is expected
    assert any("劳动能力是" + capacity in reason for reason in result.reasons)


@pytest.mark.parametrize(("age", "expected"), [(15, NO), (16, YES), (60, YES), (61, NO)])
def test_public_welfare_job_age_boundaries(service: EligibilityService, age: int, expected: Status) -> None:
    facts = {"household_type": "脱贫户", "labor_capacity": "弱劳动力", "age": age}
    assert screen_one(service, "public-welfare-job", facts).status is expected


EDU_BY_STAGE = {
    "学前教育": (NO, NO, NO),
    "义务教育": (YES, NO, NO),
    "普通高中": (NO, YES, NO),
    "中等职业教育": (NO, NO, YES),
    "高等教育": (NO, NO, NO),
    "不在读": (NO, NO, NO),
}
EDU_IDS = ["edu-compulsory-boarding-allowance", "edu-high-school-grant", "edu-vocational-free-tuition"]


@pytest.mark.parametrize("stage", list(EDU_BY_STAGE))
@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_education_by_stage(service: EligibilityService, stage: str, household_type: str) -> None:
    facts = {"household_type": household_type, "is_dibao": False, "is_tekun": False, "schooling_stage": stage}
    by_id = service.screen(facts, EDU_IDS).by_id()
    compulsory, high, vocational = EDU_BY_STAGE[stage]
    if household_type == "一般农户":  # only the universal vocational waiver is left
        compulsory, high = NO, NO
    assert [by_id[mid].status for mid in EDU_IDS] == [compulsory, high, vocational]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"household_type": "脱贫户"}, YES),
        ({"household_type": "监测户"}, YES),
        ({"household_type": "一般农户"}, ASK),
        ({"household_type": "一般农户", "is_dibao": True}, YES),
        ({"household_type": "一般农户", "is_dibao": False, "is_tekun": True}, YES),
        ({"household_type": "一般农户", "is_dibao": False, "is_tekun": False}, NO),
    ],
)
def test_medical_premium_subsidy(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert screen_one(service, "medical-insurance-premium-subsidy", facts).status is expected


@pytest.mark.parametrize(
    ("facts", "expected", "missing"),
    [
        ({"household_type": "监测户"}, NO, []),
        ({"household_type": "一般农户", "income_below_monitoring_line": True}, YES, []),
        ({"household_type": "脱贫户", "has_sudden_hardship": True}, YES, []),
        ({"household_type": "脱贫户", "income_below_monitoring_line": False}, ASK, ["has_sudden_hardship"]),
        (
            {
                "household_type": "一般农户",
                "income_below_monitoring_line": False,
                "has_sudden_hardship": False,
            },
            NO,
            [],
        ),
        ({"income_below_monitoring_line": True}, ASK, ["household_type"]),
    ],
)
def test_monitoring_identification(
    service: EligibilityService, facts: dict[str, Any], expected: Status, missing: list[str]
) -> None:
    result = screen_one(service, "monitoring-identification", facts)
    assert (result.status, result.missing) == (expected, missing)
