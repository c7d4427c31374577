"""The short interview: which question to ask next, and every path an interview can take.

The interview asks one of two kinds of question:

- a *choice* (one fact, one button per value): the missing fact most undecided measures wait for;
- a *checklist* (several yes/no facts at once, "tick what applies"): when two or more pending bool facts
  that have a ``statement`` in facts.yaml are waited for, they are asked together; the client sends true
  for the ticked items and false for the others. Many measures each hinge on a yes/no fact of their own
  (大病, 残疾, 想贷款, 吃水困难 …), and one question per fact could not fit the question budget.

A checklist item is held back while an earlier checklist fact is pending that makes it moot for every
measure reading it (不良信用记录 only matters to someone who wants a loan), so no one is asked about it
before it matters. `EligibilityService` (core.eligibility.screening) owns one `Interview` over its catalog.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.eligibility import texts
from core.eligibility.facts import FactRegistry, FactType, FactValue, Option
from core.eligibility.rules import Rule, RuleOutcome, Status, breakpoints, evaluate, rule_facts

# Ties between equally useful questions go to the fact asked earlier here; unlisted facts follow in
# registry order. Broad facts first: one answer about the household settles many measures. The order also
# lists a checklist's items and says which of two facts may gate the other (wants_loan before
# has_bad_credit_record, has_disability before has_severe_disability): a follow-up fact comes after its gate.
FACT_PRIORITY: tuple[str, ...] = (
    "household_type",
    "is_dibao",
    "is_tekun",
    "age",
    "labor_capacity",
    "housing_safety_grade",
    "monitoring_type",
    "schooling_stage",
    "in_higher_vocational",
    "in_vocational_year_1_or_2",
    "industry_type",
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
    "wants_job",
    "works_away_from_home",
)
MAX_INTERVIEW_QUESTIONS = 8
# A checklist lists at most this many items, so that it fits a phone screen.
MAX_CHECKLIST_ITEMS = 8


Answer = dict[str, FactValue]
_UNKNOWN = object()  # stands for a fact not given, in memo keys


class QuestionKind(StrEnum):
    """How a question is answered: one option of one fact, or any subset of several yes/no facts."""

    CHOICE = "choice"
    CHECKLIST = "checklist"


@dataclass
class NextQuestion:
    """The interview's next question: its plain text, its answer options and the facts the answer settles.

    A choice question asks `fact`; each option sets ``facts[fact] = option.value``. A checklist asks several
    bool facts at once (`fact` is None); each option is one item (``option.fact``), and the answer sets the
    ticked items' facts to true and every other listed fact to false.
    """

    fact: str | None
    label: str
    type: str
    question: str
    options: list[Option]
    resolves: int
    kind: QuestionKind = QuestionKind.CHOICE
    facts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.facts:
            self.facts = (self.fact,) if self.fact is not None else tuple(str(o.fact) for o in self.options)

    def checklist_answer(self, ticked: Iterable[str]) -> Answer:
        """The facts a checklist answer sends: true for the ticked items, false for every other one."""
        chosen = set(ticked)
        unknown = chosen - set(self.facts)
        if unknown:
            raise ValueError(f"not items of this checklist: {sorted(unknown)}")
        return {fact: fact in chosen for fact in self.facts}

    def answers(self) -> Iterator[Answer]:
        """Every possible answer: each option of a choice; each subset of a checklist's items (2^n)."""
        if self.kind is QuestionKind.CHOICE:
            assert self.fact is not None
            for option in self.options:
                yield {self.fact: option.value}
            return
        for size in range(len(self.facts) + 1):
            for ticked in itertools.combinations(self.facts, size):
                yield self.checklist_answer(ticked)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind.value,
            "fact": self.fact,
            "facts": list(self.facts),
            "label": self.label,
            "type": self.type,
            "question": self.question,
            "options": [o.to_dict() for o in self.options],
            "resolves": self.resolves,
        }


class Interview:
    """Plans questions over a catalog's rules: options per fact, checklist gates, the next question."""

    def __init__(
        self,
        rules: Mapping[str, Rule],
        registry: FactRegistry,
        *,
        fact_priority: Iterable[str] = FACT_PRIORITY,
    ) -> None:
        self._rules = dict(rules)
        self._registry = registry
        ordered = [f for f in fact_priority if f in registry] + list(registry.names)
        self._priority = {name: i for i, name in enumerate(dict.fromkeys(ordered))}
        self._options = {spec.name: self._build_options(spec.name) for spec in registry}
        self._statements = {spec.name: spec.statement for spec in registry if spec.statement}
        self._gates = self._find_gates()

    def _find_gates(self) -> dict[str, frozenset[str]]:
        """For each fact, the earlier facts it is a follow-up of.

        Fact f follows fact g when g comes before f in priority and at most one answer to g leaves f worth
        asking. For a yes/no g that means the other answer alone decides every measure that reads f
        (wants_loan = false decides both loan measures, so has_bad_credit_record waits for wants_loan); a
        checklist item is never held back merely because a sibling item may make it redundant, which would
        cost a later checklist. For an enum g it is enough that f cannot change any outcome after the other
        answers: the 中职 school year matters only after schooling_stage = 中等职业教育, so nobody is asked
        it before saying a child is in 中职. A follow-up joins the checklist after its gate's answer and is
        never asked of someone it cannot concern. Gates only point to earlier facts, so the earliest
        pending fact is never held back and the interview always has a question to ask. A follow-up gates
        nothing itself, so a fact waits for one answer, never for a chain of them; and an int fact (age)
        gates nothing, as its buttons are cut at many thresholds and its question tends to come late.
        """
        readers: dict[str, list[Rule]] = {}
        for rule in self._rules.values():
            for fact in rule_facts(rule):
                readers.setdefault(fact, []).append(rule)

        def open_answers(fact: str) -> dict[str, set[Any]]:
            """For each fact g the readers of `fact` read, the answers to g after which `fact` can still
            change an outcome (some full answer to the reader's other facts where it does)."""
            found: dict[str, set[Any]] = {}
            for rule in readers[fact]:
                others = [f for f in rule_facts(rule) if f != fact]
                values = [o.value for o in self._options[fact]]
                for combo in itertools.product(*(self._options[f] for f in others)):
                    known = {f: o.value for f, o in zip(others, combo, strict=True)}
                    if len({evaluate(rule, {**known, fact: v}).status for v in values}) > 1:
                        for f, value in known.items():
                            found.setdefault(f, set()).add(value)
                for gate in self._registry.names:  # a fact the rule does not read leaves every answer open
                    if gate not in others and gate != fact:
                        found.setdefault(gate, set()).update(o.value for o in self._options[gate])
            return found

        gates: dict[str, frozenset[str]] = {}
        for fact in sorted(self._registry.names, key=self._priority.__getitem__):
            if fact not in readers:
                continue
            still_open = open_answers(fact)
            found = frozenset(
                gate
                for gate in self._registry.names
                if self._priority[gate] < self._priority[fact]
                and gate not in gates
                and self._registry.spec(gate).type is not FactType.INT
                and self._leaves_open(gate, readers[fact], still_open) <= 1 < len(self._options[gate])
            )
            if found:
                gates[fact] = found
        return gates

    def _leaves_open(self, gate: str, readers: list[Rule], still_open: Mapping[str, set[Any]]) -> int:
        """How many answers to `gate` leave a fact read by `readers` worth asking (see _find_gates)."""
        if self._registry.spec(gate).type is FactType.ENUM:
            return len(still_open.get(gate, ()))
        return sum(
            any(evaluate(r, {gate: o.value}).status is Status.NEED_INFO for r in readers)
            for o in self._options[gate]
        )

    def gates(self, fact: str) -> frozenset[str]:
        """The facts that must be known before `fact` is asked (empty for most facts)."""
        return self._gates.get(fact, frozenset())

    def _build_options(self, fact: str) -> list[Option]:
        """Int facts are bucketed at the catalog's own thresholds, so every bucket decides every rule alike."""
        if self._registry.spec(fact).type is not FactType.INT:
            return self._registry.options(fact)
        points: set[int] = set()
        for rule in self._rules.values():
            points |= breakpoints(rule, fact)
        return self._registry.options(fact, points if points else None)

    def options(self, fact: str) -> list[Option]:
        """Answer options the interview offers for `fact` (InvalidInput for an unknown fact)."""
        self._registry.spec(fact)
        return list(self._options[fact])

    def walk(self, rules: Mapping[str, Rule], start: Mapping[str, FactValue]) -> InterviewReport:
        """Answer every question about `rules` (measure id → rule) in every possible way, from the coerced
        `start` facts, and report how long the interview can get.

        Exhaustive, not sampled: a choice question is answered with each of its options, a checklist with
        each of the 2^n subsets of its n items (n ≤ MAX_CHECKLIST_ITEMS), exactly as a client sends them.
        Decided results stay decided when facts are added, so each step re-evaluates only the undecided
        measures, and states are memoised by (undecided measures, the known values of the facts their
        rules read): two paths reaching the same key face the same questions from there on. A path is
        unfinished when it stops with a `need_info` result left (an int fact the buttons cannot answer).
        """
        rules_facts = {mid: tuple(rule_facts(rule)) for mid, rule in rules.items()}
        memo: dict[Any, tuple[int, list[tuple[NextQuestion, Answer]], int]] = {}
        outcome_memo: dict[Any, RuleOutcome] = {}
        unfinished: list[dict[str, FactValue]] = []

        def outcome(mid: str, facts: dict[str, FactValue]) -> RuleOutcome:
            # A rule's outcome depends only on the facts it reads.
            key = (mid, *(facts.get(f, _UNKNOWN) for f in rules_facts[mid]))
            if key not in outcome_memo:
                outcome_memo[key] = evaluate(rules[mid], facts, exact_ints=False)
            return outcome_memo[key]

        def visit(
            facts: dict[str, FactValue], pending: tuple[str, ...]
        ) -> tuple[int, list[tuple[NextQuestion, Answer]], int]:
            outcomes = {mid: outcome(mid, facts) for mid in pending}
            still = tuple(mid for mid in pending if outcomes[mid].status is Status.NEED_INFO)
            relevant = frozenset().union(*(rules_facts[mid] for mid in still))
            key = (still, frozenset((f, v) for f, v in facts.items() if f in relevant))
            if key in memo:
                return memo[key]
            question = self.choose(outcomes[mid].missing for mid in still)
            if question is None or not question.options:
                if still:
                    unfinished.append(dict(facts))
                memo[key] = (0, [], 1)
                return memo[key]
            depth, longest, paths = -1, [], 0
            for answer in question.answers():
                sub_depth, tail, count = visit({**facts, **answer}, still)
                paths += count
                if sub_depth > depth:
                    depth, longest = sub_depth, [(question, answer), *tail]
            memo[key] = (depth + 1, longest, paths)
            return memo[key]

        depth, longest, paths = visit(dict(start), tuple(rules_facts))
        return InterviewReport(
            max_questions=depth, longest_path=longest, paths=paths, unfinished=unfinished, states=len(memo)
        )

    def choose(self, missing_lists: Iterable[list[str]]) -> NextQuestion | None:
        """The next question for undecided results whose missing facts are `missing_lists`.

        Facts are ranked by how many undecided results wait for them, ties by priority. Checklist facts
        (bool facts with a statement) that are not held back by a pending gate go into one checklist
        when there are two or more (the most wanted MAX_CHECKLIST_ITEMS, shown in priority order); the
        other facts are choice questions. The checklist is asked when it may decide more results than
        the best choice question, else that choice.
        """
        waiting: dict[str, set[int]] = {}
        for i, missing in enumerate(missing_lists):
            for fact in missing:
                waiting.setdefault(fact, set()).add(i)
        if not waiting:
            return None
        last = len(self._priority)

        def rank(fact: str) -> tuple[int, int]:
            return -len(waiting[fact]), self._priority.get(fact, last)

        held = {fact for fact in waiting if self.gates(fact) & waiting.keys()}
        items = sorted((f for f in waiting if f in self._statements and f not in held), key=rank)
        checklist = None
        if len(items) >= 2:
            checklist = self._checklist(items[:MAX_CHECKLIST_ITEMS], waiting)
        choices = [f for f in waiting if f not in held and not (checklist and f in items)]
        if not choices and checklist is None:  # cannot happen (gates point to earlier facts); be safe
            choices = list(waiting)
        if choices:
            fact = min(choices, key=rank)
            if checklist is None or len(waiting[fact]) >= checklist.resolves:
                return self._choice(fact, len(waiting[fact]))
            # A choice that a held follow-up waits for goes before the checklist, so the follow-up can join
            # the next checklist instead of trailing as a question of its own.
            opening = [f for f in choices if any(f in self.gates(h) for h in held)]
            if opening:
                fact = min(opening, key=rank)
                return self._choice(fact, len(waiting[fact]))
        return checklist

    def _choice(self, fact: str, resolves: int) -> NextQuestion:
        spec = self._registry.spec(fact)
        return NextQuestion(
            fact=fact,
            label=spec.label,
            type=spec.type.value,
            question=spec.question,
            options=list(self._options[fact]),
            resolves=resolves,
        )

    def _checklist(self, facts: list[str], waiting: Mapping[str, set[int]]) -> NextQuestion:
        ordered = sorted(facts, key=lambda f: self._priority.get(f, len(self._priority)))
        return NextQuestion(
            fact=None,
            label=texts.SCREEN_CHECKLIST_LABEL,
            type=FactType.BOOL.value,
            question=texts.SCREEN_CHECKLIST_QUESTION,
            options=[Option(self._statements[f], f, f) for f in ordered],
            resolves=len(set().union(*(waiting[f] for f in ordered))),
            kind=QuestionKind.CHECKLIST,
            facts=tuple(ordered),
        )


@dataclass
class InterviewReport:
    """Every path of the interview, walked from the start facts: how long it gets and whether it ends.

    `longest_path` is one longest path as (question, the facts its answer sent); `paths` counts the
    distinct complete answer sequences; `states` the memoised states visited.
    """

    max_questions: int
    longest_path: list[tuple[NextQuestion, Answer]]
    paths: int
    unfinished: list[dict[str, FactValue]] = field(default_factory=list)
    states: int = 0

    @property
    def ok(self) -> bool:
        """True when every path ends with every measure decided within the question budget."""
        return not self.unfinished and self.max_questions <= MAX_INTERVIEW_QUESTIONS
