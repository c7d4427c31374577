"""The interview: next question, transcripts, exhaustive walks and the question budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.rules import Status
from core.eligibility.screening import EligibilityService, QuestionKind, ScreeningResult
from tests.unit.eligibility.fixtures import (
    ASK,
    CATALOG_DICTS,
    FACTS,
    GOOD_BORROWER,
    HOUSEHOLD_TYPES,
    INDUSTRY,
    MEDICAL,
    NO,
    REGISTRY,
    YES,
    lookup,
    measure,
    write_policies,
)


def test_first_question_is_household_type(service: EligibilityService) -> None:
    question = service.screen({}).next_question
    assert question is not None
    assert question.fact == "household_type"
    assert question.question == "您家现在是哪一类户？"
    assert [o.value for o in question.options] == HOUSEHOLD_TYPES
    # every measure but the vocational waiver waits for the household type
    assert question.resolves == len(CATALOG_DICTS) - 1


def test_next_question_picks_the_most_wanted_fact_then_priority(service: EligibilityService) -> None:
    general = service.screen({"household_type": "一般农户"}).next_question
    assert general is not None
    # is_dibao and is_tekun are both wanted by the two housing, two education and the medical measure
    assert (general.fact, general.resolves) == ("is_dibao", 5)
    poor = service.screen({"household_type": "脱贫户"}).next_question
    assert poor is not None
    assert (poor.fact, poor.resolves) == ("schooling_stage", 3)


def test_next_question_is_none_when_all_decided(service: EligibilityService) -> None:
    facts = {"household_type": "监测户", "housing_safety_grade": "A", "age": 70, "schooling_stage": "不在读"}
    result = service.screen(facts)
    assert all(r.status is not ASK for r in result.results)
    assert result.next_question is None


def test_age_options_are_cut_at_the_catalog_thresholds(service: EligibilityService) -> None:
    options = service.options("age")
    assert [o.label for o in options] == ["15岁及以下", "16–17岁", "18–60岁", "61–65岁", "66岁及以上"]
    assert [o.value for o in options] == [15, 16, 18, 61, 66]
    base = {**GOOD_BORROWER, "labor_capacity": "弱劳动力"}

    def statuses(age: int) -> tuple[Status, ...]:
        by_id = service.screen({**base, "age": age}, ["microcredit", "public-welfare-job"]).by_id()
        return by_id["microcredit"].status, by_id["public-welfare-job"].status

    # every age inside a bucket decides both age rules exactly as the bucket's button value does
    for (low, high), option in zip([(0, 15), (16, 17), (18, 60), (61, 65), (66, 120)], options, strict=True):
        assert {statuses(age) for age in range(low, high + 1)} == {statuses(int(option.value))}


def answer(service: EligibilityService, answers: dict[str, Any]) -> tuple[list[str], ScreeningResult]:
    """Run an interview answering from `answers`; return the facts asked in order and the final result."""
    facts: dict[str, Any] = {}
    asked: list[str] = []
    while (question := service.screen(facts).next_question) is not None:
        assert question.fact is not None  # no statements in FACTS: every question is a choice
        asked.append(question.fact)
        option_values = [o.value for o in question.options]
        assert answers[question.fact] in option_values
        facts[question.fact] = answers[question.fact]
    return asked, service.screen(facts)


def test_interview_transcript_for_a_poor_household(service: EligibilityService) -> None:
    answers = {
        "household_type": "脱贫户",
        "schooling_stage": "普通高中",
        "age": 18,
        "housing_safety_grade": "D",
        "labor_capacity": "弱劳动力",
        "has_bad_credit_record": False,
        "income_below_monitoring_line": False,
        "has_sudden_hardship": False,
    }
    asked, final = answer(service, answers)
    assert asked == [
        "household_type",
        "schooling_stage",
        "age",
        "housing_safety_grade",
        "labor_capacity",
        "has_bad_credit_record",
        "income_below_monitoring_line",
        "has_sudden_hardship",
    ]
    statuses = {r.measure_id: r.status for r in final.results}
    assert statuses == {
        "edu-compulsory-boarding-allowance": NO,
        "edu-high-school-grant": YES,
        "edu-vocational-free-tuition": NO,
        "housing-renovation-c": NO,
        "housing-renovation-d": YES,
        "medical-insurance-premium-subsidy": YES,
        "microcredit": YES,
        "monitoring-identification": NO,
        "public-welfare-job": YES,
    }


def test_interview_brute_force_finishes_every_path_within_eight_questions(
    service: EligibilityService,
) -> None:
    report = service.walk_interview()
    assert report.unfinished == []
    assert report.max_questions <= 8
    assert report.ok
    assert report.paths > 100
    # the longest path is the poor household that qualifies for nearly everything
    assert report.max_questions == 8
    assert report.longest_path[0][0].fact == "household_type"
    assert all(q.kind is QuestionKind.CHOICE for q, _ in report.longest_path)  # no statements, no checklists


def test_walk_interview_agrees_with_a_naive_walk_through_screen(service: EligibilityService) -> None:
    """The memoised walk must find the same longest path length and path count as plain recursion."""

    def naive(facts: dict[str, Any]) -> tuple[int, int]:
        result = service.screen(facts)
        if result.next_question is None:
            assert all(r.status is not ASK for r in result.results)
            return 0, 1
        fact = result.next_question.fact
        assert fact is not None
        depth, paths = 0, 0
        for option in result.next_question.options:
            sub_depth, sub_paths = naive({**facts, fact: option.value})
            depth, paths = max(depth, sub_depth), paths + sub_paths
        return depth + 1, paths

    report = service.walk_interview()
    assert (report.max_questions, report.paths) == naive({})


def test_walk_interview_can_start_from_known_facts(service: EligibilityService) -> None:
    report = service.walk_interview(start={"household_type": "一般农户"})
    assert report.ok
    assert report.max_questions == 6  # is_dibao, is_tekun, housing grade, stage, income, hardship
    short = service.walk_interview(["microcredit"], start={"household_type": "脱贫户"})
    assert [q.fact for q, _ in short.longest_path] == ["age", "has_bad_credit_record"]


def test_interview_ends_with_no_need_info_on_sampled_paths(service: EligibilityService) -> None:
    """Walk a handful of explicit paths to the end and check the final screen directly."""
    for household_type in HOUSEHOLD_TYPES:
        facts: dict[str, Any] = {"household_type": household_type}
        while (question := service.screen(facts).next_question) is not None:
            assert question.fact is not None
            facts[question.fact] = question.options[-1].value
        assert all(r.status is not ASK for r in service.screen(facts).results)
        assert len(facts) <= 8


def test_interview_reports_a_catalog_that_needs_more_than_eight(tmp_path: Path) -> None:
    folder = write_policies(tmp_path, [*CATALOG_DICTS, INDUSTRY])
    service = EligibilityService(Catalog.load(folder, REGISTRY), REGISTRY, lookup)
    report = service.walk_interview()
    assert report.unfinished == []
    assert report.max_questions == 9
    assert not report.ok
    assert "industry_type" in [q.fact for q, _ in report.longest_path]


def test_interview_reports_paths_that_cannot_finish() -> None:
    # `gte: 0` on a fact whose minimum is 0 gives no threshold inside its range, hence no buttons
    data = json.loads(json.dumps(FACTS))
    data["facts"]["plot_size"] = {"type": "int", "label": "耕地面积", "min": 0, "question": "有几亩地？"}
    registry = FactRegistry.from_dict(data)
    item = measure("any-plot", "有地就行", "产业帮扶", {"fact": "plot_size", "gte": 0}, MEDICAL["basis"])
    service = EligibilityService(Catalog.from_dicts([item], registry), registry, lookup)
    question = service.screen({}).next_question
    assert question is not None and question.fact == "plot_size" and question.options == []
    report = service.walk_interview()
    assert report.unfinished == [{}]
    assert not report.ok
