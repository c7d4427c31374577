"""Eligibility screening: "Can I get it?" answered by the catalog's rules, with reasons and cited clauses.

The service evaluates every requested measure's rule over the facts given (three-valued, see core.eligibility.rules),
attaches the verbatim basis clauses as citations in the ``/v1/ask`` shape, and proposes the next question of
a short interview::

    service = EligibilityService(catalog, registry, documents.get)
    result = service.screen({"household_type": "脱贫户"})
    result.next_question.kind          # "choice" or "checklist"
    result.next_question.facts         # the facts its answer settles
    result.to_dict()                   # {"results": [...], "next_question": {...}}

The interview asks one of two kinds of question:

- a *choice* (one fact, one button per value): the missing fact most undecided measures wait for;
- a *checklist* (several yes/no facts at once, "tick what applies"): when two or more pending bool facts
  that have a ``statement`` in facts.yaml are waited for, they are asked together; the client sends true
  for the ticked items and false for the others. Many measures each hinge on a yes/no fact of their own
  (大病, 残疾, 想贷款, 吃水困难 …), and one question per fact could not fit the question budget.

A checklist item is held back while an earlier checklist fact is pending that makes it moot for every
measure reading it (不良信用记录 only matters to someone who wants a loan), so no one is asked about it
before it matters.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from core.eligibility.catalog import Catalog, Measure
from core.eligibility.facts import FactRegistry, FactType, FactValue, Option
from core.eligibility.rules import RuleOutcome, Status, breakpoints, evaluate, rule_facts
from core.knowledge.models import Citation, DocumentMeta

logger = logging.getLogger(__name__)

DocumentLookup = Callable[[str], DocumentMeta | None]

# Ties between equally useful questions go to the fact asked earlier here; unlisted facts follow in
# registry order. Broad facts first: one answer about the household settles many measures. The order also
# lists a checklist's items and says which of two facts may gate the other (wants_loan before
# has_bad_credit_record).
FACT_PRIORITY: tuple[str, ...] = (
    "household_type",
    "is_dibao",
    "is_tekun",
    "age",
    "labor_capacity",
    "housing_safety_grade",
    "monitoring_type",
    "schooling_stage",
    "industry_type",
    "wants_loan",
    "has_bad_credit_record",
    "has_serious_illness",
    "has_disability",
    "income_below_monitoring_line",
    "has_sudden_hardship",
    "has_drinking_water_problem",
    "wants_job",
    "works_away_from_home",
)
MAX_INTERVIEW_QUESTIONS = 8
# A checklist lists at most this many items, so that it fits a phone screen.
MAX_CHECKLIST_ITEMS = 8

# User-facing Chinese of this module, in one place.
TEXT = {
    "checklist_label": "家里的情况",
    "checklist_question": "下面这些情况，您家有吗？有的都选上，都没有就直接点“选好了”。",
}

Answer = dict[str, FactValue]
_UNKNOWN = object()  # stands for a fact not given, in memo keys


class QuestionKind(StrEnum):
    """How a question is answered: one option of one fact, or any subset of several yes/no facts."""

    CHOICE = "choice"
    CHECKLIST = "checklist"


@dataclass
class MeasureResult:
    """The screening outcome for one measure."""

    measure_id: str
    name: str
    status: Status
    reasons: list[str]
    missing: list[str]
    citations: list[Citation]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of DESIGN.md's `/v1/eligibility` result item."""
        return {
            "measure_id": self.measure_id,
            "name": self.name,
            "status": self.status.value,
            "reasons": list(self.reasons),
            "missing": list(self.missing),
            "citations": [c.as_dict() for c in self.citations],
        }


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


@dataclass
class ScreeningResult:
    """Results for the requested measures plus the next interview question (None when all are decided)."""

    results: list[MeasureResult]
    next_question: NextQuestion | None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"results": [...], "next_question": {...} | null}``."""
        return {
            "results": [r.to_dict() for r in self.results],
            "next_question": self.next_question.to_dict() if self.next_question else None,
        }

    def by_id(self) -> dict[str, MeasureResult]:
        """Results keyed by measure id."""
        return {r.measure_id: r for r in self.results}


class EligibilityService:
    """Screens facts against the catalog's rules and plans the interview."""

    def __init__(
        self,
        catalog: Catalog,
        registry: FactRegistry,
        document_lookup: DocumentLookup,
        *,
        fact_priority: Iterable[str] = FACT_PRIORITY,
    ) -> None:
        self._catalog = catalog
        self._registry = registry
        self._lookup = document_lookup
        ordered = [f for f in fact_priority if f in registry] + list(registry.names)
        self._priority = {name: i for i, name in enumerate(dict.fromkeys(ordered))}
        self._rules = {measure.id: measure.rule for measure in catalog}
        self._warned: set[str] = set()
        self._options = {spec.name: self._build_options(spec.name) for spec in registry}
        self._statements = {spec.name: spec.statement for spec in registry if spec.statement}
        self._gates = self._find_gates()

    def _find_gates(self) -> dict[str, frozenset[str]]:
        """For each checklist fact, the earlier checklist facts that can make it moot.

        Fact g gates fact f when g comes before f in priority and one value of g alone decides every
        measure of the catalog that reads f (wants_loan = false decides both loan measures, so
        has_bad_credit_record waits for wants_loan). Gates only point to earlier facts, so the earliest
        pending fact is never held back and the interview always has a question to ask.
        """
        readers: dict[str, list[Measure]] = {}
        for measure in self._catalog:
            for fact in rule_facts(measure.rule):
                readers.setdefault(fact, []).append(measure)
        gates: dict[str, frozenset[str]] = {}
        for fact in self._statements:
            found = frozenset(
                gate
                for gate in self._statements
                if self._priority[gate] < self._priority[fact]
                and readers.get(fact)
                and any(
                    all(evaluate(m.rule, {gate: value}).status is not Status.NEED_INFO for m in readers[fact])
                    for value in (True, False)
                )
            )
            if found:
                gates[fact] = found
        return gates

    def gates(self, fact: str) -> frozenset[str]:
        """The checklist facts that must be known before `fact` is asked (empty for most facts)."""
        return self._gates.get(fact, frozenset())

    def _build_options(self, fact: str) -> list[Option]:
        """Int facts are bucketed at the catalog's own thresholds, so every bucket decides every rule alike."""
        if self._registry.spec(fact).type is not FactType.INT:
            return self._registry.options(fact)
        points: set[int] = set()
        for measure in self._catalog:
            points |= breakpoints(measure.rule, fact)
        return self._registry.options(fact, points if points else None)

    @property
    def registry(self) -> FactRegistry:
        """The facts the rules are written over."""
        return self._registry

    def options(self, fact: str) -> list[Option]:
        """Answer options the interview offers for `fact` (InvalidInput for an unknown fact)."""
        self._registry.spec(fact)
        return list(self._options[fact])

    def lapsed(self, measure: Measure, on: date) -> str | None:
        """Why nobody can get `measure` any more — every basis document expired or superseded on `on` —
        in plain words; None while it is in force (or when its documents are unknown)."""
        metas = [self._lookup(doc_id) for doc_id in dict.fromkeys(ref.doc_id for ref in measure.basis)]

        def ended(meta: DocumentMeta | None) -> bool:  # not yet in force is not "ended"
            return meta is not None and bool(
                meta.superseded_by or (meta.effective_to and on > meta.effective_to)
            )

        if not metas or not all(ended(m) for m in metas):
            return None
        known = [m for m in metas if m is not None]
        if all(m.superseded_by for m in known):
            return "这项政策的文件已经被新文件代替，现在按新政策办理，请问村里或乡镇。"
        end = max(m.effective_to for m in known if m.effective_to)
        return f"这项政策已经到期（执行到{end.year}年{end.month}月{end.day}日），现在不再办理。"

    def screen(
        self, facts: Mapping[str, Any], measure_ids: list[str] | None = None, *, on: date | None = None
    ) -> ScreeningResult:
        """Screen `facts` against the given measures (all when None, none when []) as of `on` (today).

        Facts are coerced through the registry (a None value means unknown); an unknown measure id raises
        NotFound and a bad fact InvalidInput. A measure whose basis documents have all expired or been
        superseded is `ineligible` with that reason, whatever the facts.
        """
        measures = self._select(measure_ids)
        known = self._registry.coerce_all(facts)
        documents: dict[str, DocumentMeta | None] = {}
        results = []
        today = on or date.today()
        for measure in measures:
            lapsed = self.lapsed(measure, today)
            if lapsed is not None:
                results.append(
                    MeasureResult(
                        measure_id=measure.id,
                        name=measure.name,
                        status=Status.INELIGIBLE,
                        reasons=[lapsed],
                        missing=[],
                        citations=self._citations(measure, documents),
                    )
                )
                continue
            # Reasons never claim an exact age: an interview button sends one value for a whole range.
            outcome = evaluate(self._rules[measure.id], known, exact_ints=False)
            results.append(
                MeasureResult(
                    measure_id=measure.id,
                    name=measure.name,
                    status=outcome.status,
                    reasons=outcome.reasons,
                    missing=outcome.missing,
                    citations=self._citations(measure, documents),
                )
            )
        pending = [r.missing for r in results if r.status is Status.NEED_INFO]
        return ScreeningResult(results, self._choose(pending))

    def walk_interview(
        self, measure_ids: list[str] | None = None, start: Mapping[str, Any] | None = None
    ) -> InterviewReport:
        """Answer every question in every possible way and report how long the interview can get.

        Exhaustive, not sampled: a choice question is answered with each of its options, a checklist with
        each of the 2^n subsets of its n items (n ≤ MAX_CHECKLIST_ITEMS), exactly as a client sends them.
        Decided results stay decided when facts are added, so each step re-evaluates only the undecided
        measures, and states are memoised by (undecided measures, the known values of the facts their
        rules read): two paths reaching the same key face the same questions from there on. A path is
        unfinished when it stops with a `need_info` result left (an int fact the buttons cannot answer).
        """
        today = date.today()  # lapsed measures are decided before any question, as screen() decides them
        rules_facts = {
            m.id: tuple(rule_facts(self._rules[m.id]))
            for m in self._select(measure_ids)
            if self.lapsed(m, today) is None
        }
        memo: dict[Any, tuple[int, list[tuple[NextQuestion, Answer]], int]] = {}
        outcome_memo: dict[Any, RuleOutcome] = {}
        unfinished: list[dict[str, FactValue]] = []

        def outcome(mid: str, facts: dict[str, FactValue]) -> RuleOutcome:
            # A rule's outcome depends only on the facts it reads.
            key = (mid, *(facts.get(f, _UNKNOWN) for f in rules_facts[mid]))
            if key not in outcome_memo:
                outcome_memo[key] = evaluate(self._rules[mid], facts, exact_ints=False)
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
            question = self._choose(outcomes[mid].missing for mid in still)
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

        depth, longest, paths = visit(self._registry.coerce_all(start or {}), tuple(rules_facts))
        return InterviewReport(
            max_questions=depth, longest_path=longest, paths=paths, unfinished=unfinished, states=len(memo)
        )

    def _select(self, measure_ids: list[str] | None) -> list[Measure]:
        if measure_ids is None:
            return list(self._catalog)
        return [self._catalog.get(mid) for mid in dict.fromkeys(measure_ids)]

    def _citations(self, measure: Measure, documents: dict[str, DocumentMeta | None]) -> list[Citation]:
        citations = []
        for n, ref in enumerate(measure.basis, start=1):
            if ref.doc_id not in documents:
                documents[ref.doc_id] = self._lookup(ref.doc_id)
                if documents[ref.doc_id] is None and ref.doc_id not in self._warned:
                    self._warned.add(ref.doc_id)
                    logger.warning("measure %s cites unknown document %s", measure.id, ref.doc_id)
            meta = documents[ref.doc_id]
            citations.append(
                Citation(
                    n=n,
                    doc_id=ref.doc_id,
                    title=meta.title if meta else ref.doc_id,
                    doc_number=meta.doc_number if meta else None,
                    section=ref.article,
                    text=ref.quote,
                    score=1.0,
                )
            )
        return citations

    def _choose(self, missing_lists: Iterable[list[str]]) -> NextQuestion | None:
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
            label=TEXT["checklist_label"],
            type=FactType.BOOL.value,
            question=TEXT["checklist_question"],
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
