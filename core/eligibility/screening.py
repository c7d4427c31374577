"""Eligibility screening: "Can I get it?" answered by the catalog's rules, with reasons and cited clauses.

The service evaluates every requested measure's rule over the facts given (three-valued, see core.eligibility.rules),
attaches the verbatim basis clauses as citations in the ``/v1/ask`` shape, and proposes the next question of
a short interview::

    service = EligibilityService(catalog, registry, documents.get)
    result = service.screen({"household_type": "脱贫户"})
    result.next_question.kind          # "choice" or "checklist"
    result.next_question.facts         # the facts its answer settles
    result.to_dict()                   # {"results": [...], "next_question": {...}}

The interview itself (which question next, every path it can take) lives in core.eligibility.interview.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.eligibility import texts
from core.eligibility.catalog import AmountValue, Catalog, Measure
from core.eligibility.facts import FactRegistry, Option
from core.eligibility.interview import (
    FACT_PRIORITY,
    MAX_CHECKLIST_ITEMS,
    MAX_INTERVIEW_QUESTIONS,
    Interview,
    InterviewReport,
    NextQuestion,
    QuestionKind,
)
from core.eligibility.rules import Status, evaluate
from core.knowledge.models import Citation, DocumentMeta

__all__ = [
    "FACT_PRIORITY",
    "MAX_CHECKLIST_ITEMS",
    "MAX_INTERVIEW_QUESTIONS",
    "EligibilityService",
    "InterviewReport",
    "MeasureResult",
    "NextQuestion",
    "QuestionKind",
    "ScreeningResult",
]

logger = logging.getLogger(__name__)

DocumentLookup = Callable[[str], DocumentMeta | None]


@dataclass
class MeasureResult:
    """The screening outcome for one measure."""

    measure_id: str
    name: str
    status: Status
    reasons: list[str]
    missing: list[str]
    citations: list[Citation]
    amount: str | None = None
    amount_value: AmountValue | None = None
    to_confirm: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of DESIGN.md's `/v1/eligibility` result item, plus what the measure gives."""
        return {
            "measure_id": self.measure_id,
            "name": self.name,
            "status": self.status.value,
            "reasons": list(self.reasons),
            "missing": list(self.missing),
            "citations": [c.as_dict() for c in self.citations],
            "amount": self.amount,
            "amount_value": self.amount_value.model_dump(mode="json") if self.amount_value else None,
            "to_confirm": list(self.to_confirm),
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
        self._rules = {measure.id: measure.rule for measure in catalog}
        self._warned: set[str] = set()
        self._interview = Interview(self._rules, registry, fact_priority=fact_priority)

    def gates(self, fact: str) -> frozenset[str]:
        """The checklist facts that must be known before `fact` is asked (empty for most facts)."""
        return self._interview.gates(fact)

    @property
    def catalog(self) -> Catalog:
        """The measures screened."""
        return self._catalog

    @property
    def registry(self) -> FactRegistry:
        """The facts the rules are written over."""
        return self._registry

    def options(self, fact: str) -> list[Option]:
        """Answer options the interview offers for `fact` (InvalidInput for an unknown fact)."""
        return self._interview.options(fact)

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
            return texts.LAPSED_SUPERSEDED
        end = max(m.effective_to for m in known if m.effective_to)
        return texts.LAPSED_EXPIRED.format(y=end.year, m=end.month, d=end.day)

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
                        amount=measure.amount,
                        amount_value=measure.amount_value,
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
                    amount=measure.amount,
                    amount_value=measure.amount_value,
                    to_confirm=list(measure.checked_on_application),
                )
            )
        pending = [r.missing for r in results if r.status is Status.NEED_INFO]
        return ScreeningResult(results, self._interview.choose(pending))

    def walk_interview(
        self, measure_ids: list[str] | None = None, start: Mapping[str, Any] | None = None
    ) -> InterviewReport:
        """Answer every question in every possible way and report how long the interview can get.

        Measures whose documents have lapsed are decided before any question, as `screen` decides them;
        see `Interview.walk` for how the paths are walked.
        """
        today = date.today()
        rules = {m.id: self._rules[m.id] for m in self._select(measure_ids) if self.lapsed(m, today) is None}
        return self._interview.walk(rules, self._registry.coerce_all(start or {}))

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
