"""The interview over the real policies/ catalog: every path ends decided within the question budget."""

from __future__ import annotations

import random
from typing import Any

import pytest

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.rules import Status
from core.eligibility.screening import (
    MAX_CHECKLIST_ITEMS,
    MAX_INTERVIEW_QUESTIONS,
    EligibilityService,
    QuestionKind,
)

ASK = Status.NEED_INFO


# --- the interview -----------------------------------------------------------------------------------

CHECKLIST_FACTS = {
    "is_dibao",
    "is_tekun",
    "wants_loan",
    "has_bad_credit_record",
    "has_serious_illness",
    "has_disability",
    "has_severe_disability",
    "income_below_monitoring_line",
    "no_legal_supporter",
    "has_large_assets",
    "has_sudden_hardship",
    "has_microcredit_loan",
    "has_drinking_water_problem",
    "works_away_from_home",
    "wants_job",
    "in_higher_vocational",
    "in_vocational_year_1_or_2",
}
# A follow-up is asked only after the one answer that makes it matter (the gate's other answers settle every
# measure reading it, or for an enum gate leave it moot), never to someone it cannot concern.
FOLLOW_UPS = {
    "has_bad_credit_record": {"wants_loan"},  # 不想贷款 decides both loan measures
    "has_severe_disability": {"has_disability"},  # 护理补贴 is for a disabled person
    "no_legal_supporter": {"income_below_monitoring_line"},  # 特困 needs 无生活来源 first
    "has_large_assets": {"income_below_monitoring_line"},  # 低保 and 特困 need low income first
    "has_microcredit_loan": {"has_sudden_hardship"},  # 展期 is for a borrower hit by hardship
    "in_higher_vocational": {"schooling_stage"},  # 高职 vs 本科 only for 高等教育
    "in_vocational_year_1_or_2": {"schooling_stage"},  # the year only for 中等职业教育
}


def test_yes_no_facts_have_checklist_statements(registry: FactRegistry, service: EligibilityService) -> None:
    with_statement = {spec.name for spec in registry if spec.statement}
    assert with_statement == CHECKLIST_FACTS
    assert all(registry.spec(name).type == "bool" for name in with_statement)
    assert {name: service.gates(name) for name in registry.names if service.gates(name)} == FOLLOW_UPS


@pytest.mark.parametrize(
    ("facts", "follow_up"),
    [
        ({"schooling_stage": "高等教育"}, "in_higher_vocational"),
        ({"schooling_stage": "中等职业教育"}, "in_vocational_year_1_or_2"),
        ({"has_disability": True}, "has_severe_disability"),
        ({"income_below_monitoring_line": True}, "no_legal_supporter"),
        ({"has_sudden_hardship": True}, "has_microcredit_loan"),
    ],
)
def test_follow_ups_are_asked_only_after_the_answer_that_opens_them(
    service: EligibilityService, facts: dict[str, Any], follow_up: str
) -> None:
    """Walk the interview without the opening answer (the follow-up never comes), then with it (it does)."""

    def asked(start: dict[str, Any]) -> set[str]:
        seen: set[str] = set()
        known = {"household_type": "脱贫户", **start}
        while (question := service.screen(known).next_question) is not None:
            seen.update(question.facts)
            if question.kind is QuestionKind.CHECKLIST:
                known.update(question.checklist_answer(f for f in question.facts if f in facts))
            else:
                assert question.fact is not None
                known[question.fact] = facts.get(question.fact, question.options[-1].value)
        return seen

    (gate,) = facts
    closed = {gate: "不在读" if gate == "schooling_stage" else False}
    assert follow_up not in asked(closed)
    assert follow_up in asked(facts)


def test_a_full_screen_of_every_measure_takes_at_most_eight_questions(service: EligibilityService) -> None:
    """Every path of the interview from no facts, walked exhaustively, decides all 36 measures in ≤ 8 questions.

    Enumerated exactly: every option of every choice question and every subset (2^n) of every checklist's n
    items, as a client sends them; nothing is sampled. States are memoised by the undecided measures and
    the known values of the facts their rules read (see EligibilityService.walk_interview).
    """
    report = service.walk_interview()
    assert report.unfinished == []
    assert report.max_questions <= MAX_INTERVIEW_QUESTIONS, [q.facts for q, _ in report.longest_path]
    assert report.ok
    assert report.max_questions == 8  # 6 broad choices and 2 checklists on the longest path
    kinds = [q.kind for q, _ in report.longest_path]
    assert kinds.count(QuestionKind.CHECKLIST) == 2
    assert report.longest_path[0][0].fact == "household_type"
    assert report.paths > 1_000_000  # distinct complete answer sequences the walk covered


def test_checklists_fit_a_phone_and_never_repeat_a_fact(service: EligibilityService) -> None:
    # schooling_stage comes before the first checklist: its follow-ups (高职 or 本科, the 中职 year) can join it
    stage = service.screen({"household_type": "脱贫户"}).next_question
    assert stage is not None and stage.fact == "schooling_stage"
    facts: dict[str, Any] = {"household_type": "脱贫户", "schooling_stage": "中等职业教育"}
    first = service.screen(facts).next_question
    assert first is not None and first.kind is QuestionKind.CHECKLIST
    assert 2 <= len(first.facts) <= MAX_CHECKLIST_ITEMS
    assert "has_bad_credit_record" not in first.facts  # not before 想贷款 is known
    assert {"wants_loan", "in_vocational_year_1_or_2"} <= set(first.facts)
    assert "in_higher_vocational" not in first.facts  # the child is in 中职, not at a university
    facts.update(first.checklist_answer(["wants_loan"]))
    asked = [stage, first]
    while (question := service.screen(facts).next_question) is not None:
        assert not set(question.facts) & set(facts)
        asked.append(question)
        if question.kind is QuestionKind.CHECKLIST:
            facts.update(question.checklist_answer([]))
        else:
            assert question.fact is not None
            # a borrower's age, else the first button
            facts[question.fact] = 40 if question.fact == "age" else question.options[0].value
    assert any("has_bad_credit_record" in q.facts for q in asked)  # asked once it matters
    assert len(asked) + 1 <= MAX_INTERVIEW_QUESTIONS


def test_random_interview_paths_end_decided(service: EligibilityService) -> None:
    """Seeded random paths through the public screen() call, as a client walks them.

    walk_interview() above already covers every path; this checks the client-facing call agrees with it.
    """
    rng = random.Random(7)
    longest = 0
    for _ in range(300):
        facts: dict[str, Any] = {}
        count = 0
        while (question := service.screen(facts).next_question) is not None:
            assert question.options, question.facts
            assert not set(question.facts) & set(facts)
            if question.kind is QuestionKind.CHECKLIST:
                facts.update(question.checklist_answer(f for f in question.facts if rng.random() < 0.3))
            else:
                assert question.fact is not None
                facts[question.fact] = rng.choice(question.options).value
            count += 1
        assert all(r.status is not ASK for r in service.screen(facts).results)
        longest = max(longest, count)
    assert longest <= service.walk_interview().max_questions


def test_interview_per_category_takes_at_most_eight_questions(
    service: EligibilityService, catalog: Catalog
) -> None:
    """Screening one topic (the way the bot and widget may offer it) is decided in at most 8 questions too."""
    categories: dict[str, list[str]] = {}
    for measure in catalog:
        categories.setdefault(measure.category, []).append(measure.id)
    for category, ids in categories.items():
        report = service.walk_interview(measure_ids=ids)
        assert report.unfinished == [], category
        assert report.max_questions <= MAX_INTERVIEW_QUESTIONS, (category, report.max_questions)
