"""The real policies/ catalog: every measure parses and national rules match their policy text.

Expected statuses in the tables below are read from the cited policy text, not from the rules, so a rule that
drifts from its basis fails here.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.rules import Status, rule_facts
from core.eligibility.screening import EligibilityService
from tests.helpers.catalog import (
    POLICIES,
    lapsed_measures,
    read_document,
    status,
)

YES, NO, ASK = Status.ELIGIBLE, Status.INELIGIBLE, Status.NEED_INFO
NATIONAL_MEASURES = [
    "housing-renovation-d",
    "housing-renovation-c",
    "microcredit",
    "public-welfare-job",
    "edu-high-school-grant",
    "medical-insurance-premium-subsidy",
    "industry-planting-award",
    "industry-breeding-award",
    "monitoring-identification",
]
HOUSEHOLD_TYPES = ["脱贫户", "监测户", "一般农户"]


# --- the catalog as a whole --------------------------------------------------------------------------


def test_every_measure_file_parses(catalog: Catalog) -> None:
    files = sorted(p.stem for p in (POLICIES / "measures").glob("*.yaml"))
    assert files, "policies/measures/ is empty"
    assert catalog.ids == files
    for measure in catalog:
        assert rule_facts(measure.rule)


@pytest.mark.parametrize("measure_id", NATIONAL_MEASURES)
def test_national_measures_are_in_the_catalog(catalog: Catalog, measure_id: str) -> None:
    assert measure_id in catalog


def test_education_is_covered_by_stage(catalog: Catalog) -> None:
    edu = [m.id for m in catalog if m.id.startswith("edu-")]
    assert len(edu) >= 3, edu


def test_every_citation_quotes_its_document_verbatim(service: EligibilityService) -> None:
    for result in service.screen({}).results:
        assert result.citations, result.measure_id
        for citation in result.citations:
            found = read_document(citation.doc_id)
            assert found is not None, f"{result.measure_id} cites missing document {citation.doc_id}"
            meta, body = found
            assert citation.text in body, f"{result.measure_id}: quote not verbatim in {citation.doc_id}"
            assert citation.title == meta.title
            assert citation.n >= 1 and citation.score == 1.0


def test_no_facts_means_need_info_or_a_decision_with_reasons(
    service: EligibilityService, catalog: Catalog
) -> None:
    for result in service.screen({}).results:
        assert result.reasons
        if result.measure_id in lapsed_measures(service, catalog):
            assert result.status is NO and result.missing == []  # an expired policy, whatever the facts
        else:
            assert result.status is ASK and result.missing


# --- microcredit: 第四条 脱贫户和监测户, 18周岁（含）至65周岁（含）, 有贷款意愿, 无不良信用记录 -------------------

BORROWER = {"household_type": "脱贫户", "wants_loan": True, "has_bad_credit_record": False}


@pytest.mark.parametrize(("age", "expected"), [(17, NO), (18, YES), (65, YES), (66, NO)])
def test_microcredit_age_boundaries(service: EligibilityService, age: int, expected: Status) -> None:
    assert status(service, "microcredit", {**BORROWER, "age": age}) is expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"household_type": "监测户"}, YES),
        ({"household_type": "一般农户"}, NO),
        ({"has_bad_credit_record": True}, NO),
        ({"wants_loan": False}, NO),
    ],
)
def test_microcredit_household_credit_and_will(
    service: EligibilityService, change: dict[str, Any], expected: Status
) -> None:
    assert status(service, "microcredit", {**BORROWER, "age": 40, **change}) is expected


@pytest.mark.parametrize(
    ("age", "reason"),
    [
        (17, "年龄不到18周岁，不符合：借款人年龄在18至65周岁"),
        (18, "年龄在18至65周岁之间（符合：借款人年龄在18至65周岁）"),
        (65, "年龄在18至65周岁之间（符合：借款人年龄在18至65周岁）"),
        (66, "年龄超过65周岁，不符合：借款人年龄在18至65周岁"),
    ],
)
def test_microcredit_reason_names_the_age_condition_not_an_age(
    service: EligibilityService, age: int, reason: str
) -> None:
    """The interview's age buttons send one value per range (18–59岁 sends 18): reasons name the range."""
    result = service.screen({**BORROWER, "age": age}, ["microcredit"]).results[0]
    assert reason in result.reasons
    assert not any(f"{age}岁" in r for r in result.reasons), result.reasons


# --- housing: 第三条 脱贫户、监测户、低保户、分散供养特困人员、突发严重困难家庭; C级维修加固, D级拆除重建 -----------


@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_housing_each_grade_and_household_type(
    service: EligibilityService, grade: str, household_type: str
) -> None:
    facts = {
        "household_type": household_type,
        "is_dibao": False,
        "is_tekun": False,
        "has_sudden_hardship": False,
        "housing_safety_grade": grade,
    }
    covered = household_type in ("脱贫户", "监测户")
    assert status(service, "housing-renovation-d", facts) is (YES if covered and grade == "D" else NO)
    assert status(service, "housing-renovation-c", facts) is (YES if covered and grade == "C" else NO)


@pytest.mark.parametrize("extra", [{"is_dibao": True}, {"is_tekun": True}, {"has_sudden_hardship": True}])
@pytest.mark.parametrize(
    ("grade", "measure_id"), [("D", "housing-renovation-d"), ("C", "housing-renovation-c")]
)
def test_housing_for_dibao_tekun_and_hardship_households(
    service: EligibilityService, extra: dict[str, Any], grade: str, measure_id: str
) -> None:
    facts = {"household_type": "一般农户", "housing_safety_grade": grade, **extra}
    assert status(service, measure_id, facts) is YES


def test_housing_asks_for_dibao_before_refusing_a_general_household(service: EligibilityService) -> None:
    result = service.screen(
        {"household_type": "一般农户", "housing_safety_grade": "D"}, ["housing-renovation-d"]
    )
    item = result.results[0]
    assert item.status is ASK
    assert set(item.missing) == {"is_dibao", "is_tekun", "has_sudden_hardship"}


# --- 公益岗位: 三、（一）弱劳动力、半劳动力; （二）18至65周岁, 轻活岗位放宽至70周岁 --------------------------------


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [("普通劳动力", NO), ("弱劳动力", YES), ("半劳动力", YES), ("丧失劳动力", NO), ("无劳动力", NO)],
)
def test_public_welfare_job_each_labor_capacity(
    service: EligibilityService, capacity: str, expected: Status
) -> None:
    facts = {"household_type": "脱贫户", "labor_capacity": capacity, "age": 50}
    assert status(service, "public-welfare-job", facts) is expected


@pytest.mark.parametrize(
    ("age", "expected"), [(17, NO), (18, YES), (65, YES), (66, YES), (70, YES), (71, NO)]
)
def test_public_welfare_job_age(service: EligibilityService, age: int, expected: Status) -> None:
    facts = {"household_type": "监测户", "labor_capacity": "半劳动力", "age": age}
    assert status(service, "public-welfare-job", facts) is expected


def test_public_welfare_job_not_for_general_households(service: EligibilityService) -> None:
    facts = {"household_type": "一般农户", "labor_capacity": "弱劳动力", "age": 50}
    assert status(service, "public-welfare-job", facts) is NO


# --- 医保参保资助: 第四条 特困全额, 低保70%, 返贫致贫人口（监测户）50%, 稳定脱贫人口不再资助 -------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"is_tekun": True}, YES),
        ({"is_dibao": True}, YES),
        ({"household_type": "监测户"}, YES),
        ({"household_type": "脱贫户", "is_dibao": False, "is_tekun": False}, NO),
        ({"household_type": "一般农户", "is_dibao": False, "is_tekun": False}, NO),
        ({"household_type": "脱贫户"}, ASK),
    ],
)
def test_medical_insurance_premium_subsidy(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert status(service, "medical-insurance-premium-subsidy", facts) is expected


# --- 到户产业奖补: 第二条 脱贫户和监测户自主发展种植业、养殖业 -------------------------------------------------

INDUSTRY = {
    "种植": ("industry-planting-award",),
    "养殖": ("industry-breeding-award",),
    "种养都有": ("industry-planting-award", "industry-breeding-award"),
    "没有": (),
}


@pytest.mark.parametrize("industry", list(INDUSTRY))
@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_household_industry_awards(service: EligibilityService, industry: str, household_type: str) -> None:
    facts = {"household_type": household_type, "industry_type": industry}
    for measure_id in ("industry-planting-award", "industry-breeding-award"):
        expected = YES if household_type != "一般农户" and measure_id in INDUSTRY[industry] else NO
        assert status(service, measure_id, facts) is expected, measure_id


# --- 防返贫监测识别: 第六条 收入低于监测范围, 或突发严重困难; 已是监测户的不再识别 ---------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"household_type": "一般农户", "income_below_monitoring_line": True}, YES),
        ({"household_type": "脱贫户", "has_sudden_hardship": True}, YES),
        (
            {"household_type": "脱贫户", "income_below_monitoring_line": False, "has_sudden_hardship": False},
            NO,
        ),
        ({"household_type": "监测户", "income_below_monitoring_line": True}, NO),
        ({"household_type": "一般农户", "income_below_monitoring_line": False}, ASK),
    ],
)
def test_monitoring_identification(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert status(service, "monitoring-identification", facts) is expected


# --- every rule against its own text -----------------------------------------------------------------


def reference(raw: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Two-valued reading of a measure's YAML rule, independent of core.eligibility.rules."""
    if "all" in raw:
        return all(reference(child, facts) for child in raw["all"])
    if "any" in raw:
        return any(reference(child, facts) for child in raw["any"])
    if "not" in raw:
        return not reference(raw["not"], facts)
    value = facts[raw["fact"]]
    ops = {
        "eq": lambda v: value == v,
        "ne": lambda v: value != v,
        "in": lambda v: value in v,
        "not_in": lambda v: value not in v,
        "gte": lambda v: value >= v,
        "lte": lambda v: value <= v,
        "between": lambda v: v[0] <= value <= v[1],
    }
    (op,) = [key for key in raw if key in ops]
    return ops[op](raw[op])


def random_facts(rng: random.Random, service: EligibilityService, registry: FactRegistry) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for spec in registry:
        if spec.type == "int":
            facts[spec.name] = rng.randint(spec.min or 0, spec.max if spec.max is not None else 120)
        else:
            facts[spec.name] = rng.choice(service.options(spec.name)).value
    return facts


def test_full_facts_never_contradict_the_rule_text(
    service: EligibilityService, catalog: Catalog, registry: FactRegistry
) -> None:
    rng = random.Random(20240601)
    raw_rules = {m.id: m.eligibility for m in catalog}
    for _ in range(2000):
        facts = random_facts(rng, service, registry)
        for result in service.screen(facts).results:
            lapsed = result.measure_id in lapsed_measures(service, catalog)
            expected = YES if reference(raw_rules[result.measure_id], facts) and not lapsed else NO
            assert result.status is expected, (result.measure_id, facts)
            assert result.reasons and result.missing == []


def test_a_measure_whose_policy_expired_is_not_offered_any_more(service: EligibilityService) -> None:
    # 麻黄鸡苗补助 rests only on the 2022 spring-farming notice, in force until 2023-12-31.
    facts = {"household_type": "脱贫户"}
    now = service.screen(facts, ["chick-seedling-subsidy"]).results[0]
    assert now.status is Status.INELIGIBLE and now.missing == []
    assert now.reasons == ["这项政策已经到期（执行到2023年12月31日），现在不再办理。"]
    assert now.citations  # the clauses are still shown, so a villager can see what it was
    then = service.screen(facts, ["chick-seedling-subsidy"], on=date(2023, 6, 1)).results[0]
    assert then.status is Status.ELIGIBLE
    # measures resting on documents in force are unaffected
    assert status(service, "housing-renovation-c", {**facts, "housing_safety_grade": "C"}) is Status.ELIGIBLE
