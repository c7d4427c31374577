"""Checklist questions: pending yes/no facts asked together, gates, every subset walked."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.screening import MAX_CHECKLIST_ITEMS, EligibilityService, QuestionKind
from core.errors import CorpusError
from tests.unit.eligibility.fixtures import (
    ASK,
    CHECKLIST_CATALOG,
    CHECKLIST_REGISTRY,
    FACTS,
    HOUSEHOLD_TYPES,
    MEDICAL,
    NO,
    PLAIN_REGISTRY,
    POOR_CHECKLIST,
    REGISTRY,
    YES,
    lookup,
    measure,
    with_statements,
)


def test_statements_belong_to_bool_facts_and_unknown_keys_are_refused() -> None:
    assert CHECKLIST_REGISTRY.spec("has_disability").statement == "家里有持残疾证的人"
    assert REGISTRY.spec("has_sudden_hardship").statement is None
    enum = with_statements({"household_type": {**FACTS["facts"]["household_type"], "statement": "是脱贫户"}})
    with pytest.raises(
        CorpusError, match=r"fact 'household_type' is invalid: .*only bool facts take a `statement`"
    ):
        FactRegistry.from_dict(enum)
    typo = with_statements({"wants_job": {"type": "bool", "label": "L", "question": "Q？", "statment": "S"}})
    with pytest.raises(CorpusError, match="fact 'wants_job' is invalid: statment"):
        FactRegistry.from_dict(typo)
    empty = with_statements({"wants_job": {"type": "bool", "label": "L", "question": "Q？", "statement": ""}})
    with pytest.raises(CorpusError, match="fact 'wants_job' is invalid: statement"):
        FactRegistry.from_dict(empty)


def test_pending_yes_no_facts_are_asked_together_as_a_checklist(
    checklist_service: EligibilityService,
) -> None:
    question = checklist_service.screen({"household_type": "脱贫户"}).next_question
    assert question is not None and question.kind is QuestionKind.CHECKLIST
    assert question.fact is None
    # priority order; has_bad_credit_record waits for wants_loan; housing grade (2 measures) stays a choice
    assert question.facts == POOR_CHECKLIST
    assert question.resolves == 4  # the loan, monitoring, water and disability measures
    assert question.type == "bool" and question.label == "家里的情况"
    assert question.question == "下面这些情况，您家有吗？有的都选上，都没有就直接点“选好了”。"
    for option, fact in zip(question.options, question.facts, strict=True):
        assert (option.value, option.fact) == (fact, fact)
        assert option.label == CHECKLIST_REGISTRY.spec(fact).statement
    body = json.loads(json.dumps(question.to_dict(), ensure_ascii=False))
    assert body["kind"] == "checklist" and body["fact"] is None and body["facts"] == list(POOR_CHECKLIST)
    assert body["options"][0] == {"label": "想贷款搞生产", "value": "wants_loan", "fact": "wants_loan"}


def test_the_first_question_stays_the_broad_choice(checklist_service: EligibilityService) -> None:
    question = checklist_service.screen({}).next_question
    assert question is not None
    assert (question.kind, question.fact, question.facts) == (
        QuestionKind.CHOICE,
        "household_type",
        ("household_type",),
    )


def test_a_checklist_answer_settles_every_listed_fact(checklist_service: EligibilityService) -> None:
    facts: dict[str, Any] = {"household_type": "脱贫户"}
    question = checklist_service.screen(facts).next_question
    assert question is not None
    answer = question.checklist_answer(["has_disability"])
    assert answer == {fact: fact == "has_disability" for fact in POOR_CHECKLIST}
    with pytest.raises(ValueError, match="is_dibao"):
        question.checklist_answer(["is_dibao"])
    result = checklist_service.screen({**facts, **answer})
    by_id = result.by_id()
    assert by_id["severe-disability-care"].status is YES
    assert by_id["drinking-water-repair"].status is NO
    assert by_id["microcredit"].status is NO  # 不想贷款: has_bad_credit_record is never asked
    assert by_id["monitoring-identification"].status is NO
    assert result.next_question is not None
    assert not set(result.next_question.facts) & set(answer)


def test_a_fact_waits_for_its_gate(checklist_service: EligibilityService) -> None:
    assert checklist_service.gates("has_bad_credit_record") == {"wants_loan"}
    assert checklist_service.gates("wants_loan") == frozenset()  # a later fact never gates an earlier one
    everything_else = {fact: False for fact in POOR_CHECKLIST}
    known = {"household_type": "脱贫户", "age": 40, "housing_safety_grade": "A", "schooling_stage": "不在读"}
    facts = {**known, **everything_else, "wants_loan": True}
    question = checklist_service.screen(facts).next_question
    assert question is not None
    # now that it matters, and the only yes/no fact left, it is an ordinary 是/否 choice
    assert (question.kind, question.fact) == (QuestionKind.CHOICE, "has_bad_credit_record")
    assert [o.value for o in question.options] == [True, False]
    report = checklist_service.walk_interview(start={"household_type": "脱贫户", "wants_loan": False})
    assert report.ok
    assert all("has_bad_credit_record" not in q.facts for q, _ in report.longest_path)


def test_answers_enumerate_every_subset_of_a_checklist(checklist_service: EligibilityService) -> None:
    question = checklist_service.screen({"household_type": "脱贫户"}).next_question
    assert question is not None
    answers = list(question.answers())
    assert len(answers) == 2 ** len(POOR_CHECKLIST)
    assert len({tuple(sorted(a.items())) for a in answers}) == len(answers)
    assert all(set(a) == set(POOR_CHECKLIST) for a in answers)
    choice = checklist_service.screen({}).next_question
    assert choice is not None
    assert list(choice.answers()) == [{"household_type": t} for t in HOUSEHOLD_TYPES]


def test_a_checklist_holds_at_most_eight_items() -> None:
    flags = {
        f"flag_{i}": {
            "type": "bool",
            "label": f"是否情况{i}",
            "question": f"有情况{i}吗？",
            "statement": f"有情况{i}",
        }
        for i in range(MAX_CHECKLIST_ITEMS + 2)
    }
    registry = FactRegistry.from_dict({"facts": flags})
    items = [
        measure(f"m-{i}", f"措施{i}", "社会救助", {"fact": f"flag_{i}", "eq": True}, MEDICAL["basis"])
        for i in range(10)
    ]
    service = EligibilityService(Catalog.from_dicts(items, registry), registry, lookup)
    first = service.screen({}).next_question
    assert first is not None and first.kind is QuestionKind.CHECKLIST
    assert first.facts == tuple(f"flag_{i}" for i in range(MAX_CHECKLIST_ITEMS))
    second = service.screen(first.checklist_answer([])).next_question
    assert second is not None and second.kind is QuestionKind.CHECKLIST
    assert second.facts == ("flag_8", "flag_9")
    report = service.walk_interview()
    assert (report.max_questions, report.paths) == (2, 2**10)
    assert report.ok


def naive_walk(service: EligibilityService, facts: dict[str, Any]) -> tuple[int, int]:
    """Longest path and path count by plain recursion through screen(), ticking every subset by hand."""
    result = service.screen(facts)
    question = result.next_question
    if question is None:
        assert all(r.status is not ASK for r in result.results)
        return 0, 1
    if question.kind is QuestionKind.CHECKLIST:
        subsets = [
            [f for i, f in enumerate(question.facts) if mask >> i & 1]
            for mask in range(2 ** len(question.facts))
        ]
        answers: list[dict[str, Any]] = [{f: f in ticked for f in question.facts} for ticked in subsets]
    else:
        assert question.fact is not None
        answers = [{question.fact: o.value} for o in question.options]
    depth, paths = 0, 0
    for answer in answers:
        assert not set(answer) & set(facts), "a question never asks a fact already given"
        sub_depth, sub_paths = naive_walk(service, {**facts, **answer})
        depth, paths = max(depth, sub_depth), paths + sub_paths
    return depth + 1, paths


@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_walk_with_checklists_agrees_with_a_naive_walk(
    checklist_service: EligibilityService, household_type: str
) -> None:
    start = {"household_type": household_type}
    report = checklist_service.walk_interview(start=start)
    assert (report.max_questions, report.paths) == naive_walk(checklist_service, start)


def test_the_checklist_interview_fits_the_budget(checklist_service: EligibilityService) -> None:
    report = checklist_service.walk_interview()
    assert report.ok and report.unfinished == []
    kinds = [q.kind for q, _ in report.longest_path]
    assert QuestionKind.CHECKLIST in kinds
    # without checklists the same catalog would ask each yes/no fact on its own
    plain = EligibilityService(Catalog.from_dicts(CHECKLIST_CATALOG, PLAIN_REGISTRY), PLAIN_REGISTRY, lookup)
    assert (plain.walk_interview().max_questions, report.max_questions) == (10, 6)
    # the longest: household type, the checklist (想贷款 ticked), housing, age, schooling, then credit
    assert [q.facts[0] for q, _ in report.longest_path][-1] == "has_bad_credit_record"
