"""Eligibility screening: "Can I get it?" answered by the catalog's rules, with reasons and cited clauses.

The service evaluates every requested measure's rule over the facts given (three-valued, see core.rules),
attaches the verbatim basis clauses as citations in the ``/v1/ask`` shape, and proposes the next question of
a short interview: the missing fact that most undecided results are waiting for::

    service = EligibilityService(catalog, registry, documents.get)
    result = service.screen({"household_type": "脱贫户"})
    result.next_question.fact          # the fact most undecided measures are waiting for
    result.to_dict()                   # {"results": [...], "next_question": {...}}
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.catalog import Catalog, Measure
from core.facts import FactRegistry, FactType, FactValue, Option
from core.models import Citation, DocumentMeta
from core.rules import Status, breakpoints, evaluate, rule_facts

logger = logging.getLogger(__name__)

DocumentLookup = Callable[[str], DocumentMeta | None]

# Ties between equally useful questions go to the fact asked earlier here; unlisted facts follow in
# registry order. Broad facts first: one answer about the household settles many measures.
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
    """The interview's next question: the fact to ask, its plain question and answer buttons."""

    fact: str
    label: str
    type: str
    question: str
    options: list[Option]
    resolves: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "fact": self.fact,
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

    def _build_options(self, fact: str) -> list[Option]:
        """Int facts are bucketed at the catalog's own thresholds, so every bucket decides every rule alike."""
        if self._registry.spec(fact).type is not FactType.INT:
            return self._registry.options(fact)
        points: set[int] = set()
        for measure in self._catalog:
            points |= breakpoints(measure.rule, fact)
        return self._registry.options(fact, points if points else None)

    def options(self, fact: str) -> list[Option]:
        """Answer options the interview offers for `fact` (InvalidInput for an unknown fact)."""
        self._registry.spec(fact)
        return list(self._options[fact])

    def screen(self, facts: Mapping[str, Any], measure_ids: list[str] | None = None) -> ScreeningResult:
        """Screen `facts` against the given measures (all when None, none when []).

        Facts are coerced through the registry (a None value means unknown); an unknown measure id raises
        NotFound and a bad fact InvalidInput.
        """
        measures = self._select(measure_ids)
        known = self._registry.coerce_all(facts)
        documents: dict[str, DocumentMeta | None] = {}
        results = []
        for measure in measures:
            outcome = evaluate(self._rules[measure.id], known)
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
        """Answer every question with every option in turn and report how long the interview can get.

        Decided results stay decided when facts are added, so each step re-evaluates only the undecided
        measures, and states are memoised by (undecided measures, the facts their rules read). A path is
        unfinished when it stops with a `need_info` result left (an int fact the buttons cannot answer).
        """
        rules_facts = {m.id: frozenset(rule_facts(self._rules[m.id])) for m in self._select(measure_ids)}
        memo: dict[Any, tuple[int, list[tuple[str, Option]], int]] = {}
        unfinished: list[dict[str, FactValue]] = []

        def visit(
            facts: dict[str, FactValue], pending: tuple[str, ...]
        ) -> tuple[int, list[tuple[str, Option]], int]:
            outcomes = {mid: evaluate(self._rules[mid], facts) for mid in pending}
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
            for option in question.options:
                sub_depth, tail, count = visit({**facts, question.fact: option.value}, still)
                paths += count
                if sub_depth > depth:
                    depth, longest = sub_depth, [(question.fact, option), *tail]
            memo[key] = (depth + 1, longest, paths)
            return memo[key]

        depth, longest, paths = visit(self._registry.coerce_all(start or {}), tuple(rules_facts))
        return InterviewReport(max_questions=depth, longest_path=longest, paths=paths, unfinished=unfinished)

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
        """The missing fact named by the most undecided results; ties go to the higher-priority fact."""
        counts: dict[str, int] = {}
        for missing in missing_lists:
            for fact in missing:
                counts[fact] = counts.get(fact, 0) + 1
        if not counts:
            return None
        fact = min(counts, key=lambda f: (-counts[f], self._priority.get(f, len(self._priority))))
        spec = self._registry.spec(fact)
        return NextQuestion(
            fact=fact,
            label=spec.label,
            type=spec.type.value,
            question=spec.question,
            options=list(self._options[fact]),
            resolves=counts[fact],
        )


@dataclass
class InterviewReport:
    """Every path of the button interview, walked from no facts: how long it gets and whether it ends."""

    max_questions: int
    longest_path: list[tuple[str, Option]]
    paths: int
    unfinished: list[dict[str, FactValue]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every path ends with every measure decided within the question budget."""
        return not self.unfinished and self.max_questions <= MAX_INTERVIEW_QUESTIONS
