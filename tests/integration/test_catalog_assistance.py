"""The real catalog's education and social-assistance measures against their policy text.

Expected statuses are read from the cited clauses (学生资助办法, 残疾人两项补贴办法, 社会救助实施细则), not from
the rules, so a rule that drifts from its basis fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.eligibility.catalog import Catalog
from core.eligibility.rules import Status
from core.eligibility.screening import EligibilityService
from tests.helpers.catalog import status

YES, NO, ASK = Status.ELIGIBLE, Status.INELIGIBLE, Status.NEED_INFO


# --- education by stage (学生资助办法 第二条至第七条) ---------------------------------------------------------

EDU_BY_STAGE = {
    "学前教育": {"edu-preschool-aid"},
    "义务教育": {"edu-compulsory-living-subsidy"},
    "普通高中": {"edu-high-school-grant"},
    "中等职业教育": {"edu-vocational-grant", "edu-vocational-tuition-free"},
    "高等教育": {"edu-college-student-loan"},
    "不在读": set(),
}


@pytest.mark.parametrize("stage", list(EDU_BY_STAGE))
@pytest.mark.parametrize(
    ("household", "needy"),
    [
        ({"household_type": "脱贫户"}, True),
        ({"household_type": "监测户"}, True),
        ({"household_type": "一般农户", "is_dibao": True}, True),
        ({"household_type": "一般农户", "is_tekun": True}, True),
        ({"household_type": "一般农户", "has_sudden_hardship": True}, True),
        (
            {
                "household_type": "一般农户",
                "is_dibao": False,
                "is_tekun": False,
                "has_sudden_hardship": False,
            },
            False,
        ),
    ],
)
def test_education_by_stage(
    service: EligibilityService, catalog: Catalog, stage: str, household: dict[str, Any], needy: bool
) -> None:
    edu_ids = [m.id for m in catalog if m.id.startswith("edu-")]
    facts = {**household, "schooling_stage": stage, "in_vocational_year_1_or_2": True}
    results = service.screen(facts, edu_ids).by_id()
    eligible = {mid for mid, r in results.items() if r.status is YES}
    # 中职免学费 covers every rural student (第六条第（一）项); the rest need a 家庭经济困难 student (第二条)
    universal = {"edu-vocational-tuition-free"} & EDU_BY_STAGE[stage]
    assert eligible == (EDU_BY_STAGE[stage] if needy else universal)
    assert all(r.status is not ASK for r in results.values())


def test_vocational_grant_only_in_the_first_two_years(service: EligibilityService) -> None:
    """第六条: 助学金 for 一、二年级 only (第（二）项); 免学费 for 一、二、三年级 (第（一）项)."""
    third_year = {
        "household_type": "脱贫户",
        "schooling_stage": "中等职业教育",
        "in_vocational_year_1_or_2": False,
    }
    assert status(service, "edu-vocational-grant", third_year) is NO
    assert status(service, "edu-vocational-tuition-free", third_year) is YES
    assert status(service, "yulu-plan", third_year) is YES
    unknown = {k: v for k, v in third_year.items() if k != "in_vocational_year_1_or_2"}
    assert status(service, "edu-vocational-grant", unknown) is ASK


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"schooling_stage": "高等教育", "in_higher_vocational": True}, YES),
        ({"schooling_stage": "高等教育", "in_higher_vocational": False}, NO),  # 普通本科 (第八条)
        ({"schooling_stage": "高等教育"}, ASK),
        ({"schooling_stage": "中等职业教育"}, YES),
        ({"schooling_stage": "普通高中"}, NO),
        ({"household_type": "一般农户", "schooling_stage": "中等职业教育"}, NO),
    ],
)
def test_yulu_plan_is_for_vocational_schools_not_undergraduate(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert status(service, "yulu-plan", {"household_type": "监测户", **facts}) is expected


# --- 残疾人两项补贴、特困、低保 (青民〔2023〕22号 第三条、第五条; 社会救助实施细则 第五条、第十二条) ---------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"has_disability": True}, ASK),  # the issue: 持证 alone used to be "eligible"
        ({"has_disability": True, "has_severe_disability": False}, NO),  # 三级、四级, or no 长期照护
        ({"has_disability": True, "has_severe_disability": True}, YES),
        ({"has_disability": False}, NO),
    ],
)
def test_severe_disability_care_needs_grade_one_or_two_and_long_term_care(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert status(service, "severe-disability-care-subsidy", facts) is expected


TEKUN = {
    "age": 70,
    "income_below_monitoring_line": True,
    "has_large_assets": False,
    "no_legal_supporter": True,
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, YES),
        ({"no_legal_supporter": False}, NO),  # 第十二条（三）: has someone able to support them
        ({"has_large_assets": True}, NO),  # 第十三条: 无生活来源 needs 财产 within 第五条
        ({"income_below_monitoring_line": False}, NO),
        ({"age": 40, "labor_capacity": "普通劳动力"}, NO),  # 第十二条（一）: 无劳动能力
        ({"age": 40, "labor_capacity": "丧失劳动力"}, YES),
        ({"age": 10}, YES),
    ],
)
def test_tekun_needs_all_three_conditions(
    service: EligibilityService, change: dict[str, Any], expected: Status
) -> None:
    assert status(service, "tekun-support", {**TEKUN, **change}) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"income_below_monitoring_line": True, "has_large_assets": False}, YES),
        ({"income_below_monitoring_line": True, "has_large_assets": True}, NO),  # 第五条 财产
        ({"income_below_monitoring_line": True}, ASK),
    ],
)
def test_dibao_needs_income_and_assets(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert status(service, "dibao", facts) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"has_sudden_hardship": True, "has_microcredit_loan": True}, YES),
        ({"has_sudden_hardship": True, "has_microcredit_loan": False}, NO),  # 展期 is for a borrower
    ],
)
def test_microcredit_extension_is_for_borrowers(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert status(service, "microcredit-extension", {"household_type": "脱贫户", **facts}) is expected
