"""The composition root: the only place that opens the stores and loads the model."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.answers.compose import AnswerService
from core.answers.curated import CuratedAnswers
from core.answers.dialogue import Conversations
from core.answers.places import place_words
from core.answers.rerank import Reranker
from core.answers.retrieval import DocBM25Index, Retriever
from core.cases.calendar import Clock, system_clock
from core.cases.workflow import CATEGORY_FACTS
from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.screening import EligibilityService
from core.errors import ServiceUnavailable
from core.knowledge.embedding import Embedder, make_embedder
from core.knowledge.live import KnowledgeView, LiveKnowledge
from core.knowledge.store import KnowledgeStore
from core.records.cases import CaseRecords
from core.records.conversations import ConversationLog
from core.records.curated import CuratedStore
from core.records.db import Database
from core.records.feedback import FeedbackLog
from core.records.households import HouseholdRecords, Jurisdiction
from core.records.identity import Identity
from core.records.library import LibraryRecords
from core.records.pii import PiiHasher
from core.records.staff import StaffSessions
from core.records.unanswered import UnansweredLog
from core.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the edges call, built once per process by `build_services`."""

    settings: Settings
    store: KnowledgeStore
    knowledge: LiveKnowledge
    retriever: Retriever
    answers: AnswerService
    conversations: Conversations
    unanswered: UnansweredLog
    feedback: FeedbackLog
    db: Database
    households: HouseholdRecords
    identity: Identity
    staff: StaffSessions
    curated_store: CuratedStore
    curated: CuratedAnswers
    library: LibraryRecords
    cases: CaseRecords
    _embedder: Embedder | None = None
    _embedder_lock: threading.Lock = field(default_factory=threading.Lock)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def embedder(self) -> Embedder:
        """The query embedder, loaded on first use."""
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    s = self.settings
                    self._embedder = make_embedder(
                        s.embedding_model,
                        query_prefix=s.embedding_query_prefix,
                        passage_prefix=s.embedding_passage_prefix,
                    )
        return self._embedder

    @property
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    def eligibility(self, view: KnowledgeView) -> EligibilityService:
        """The screener over the view's catalog and facts (built once per generation)."""
        return eligibility_of(view)

    def catalog(self, view: KnowledgeView) -> Catalog:
        """The generation's measure catalog, typed (built once per generation)."""
        return eligibility_of(view).catalog

    def facts(self, view: KnowledgeView) -> FactRegistry:
        """The generation's fact registry, typed (built once per generation)."""
        return eligibility_of(view).registry

    def close(self) -> None:
        self.knowledge.close()
        self.db.close()


def eligibility_of(view: KnowledgeView) -> EligibilityService:
    """The generation's fact registry and catalog, built once from what the generation stored, and its screener."""

    def build(v: KnowledgeView) -> EligibilityService:
        # A corpus without facts.yaml (loose documents only) has no measures to screen.
        data = v.snapshot.facts_data
        registry = FactRegistry.from_dict(data) if data else FactRegistry([])
        catalog = Catalog.from_dicts(v.snapshot.catalog_data, registry)
        return EligibilityService(catalog, registry, v.meta)

    return view.derived("eligibility", build)


def catalog_names(knowledge: LiveKnowledge) -> Callable[[], Mapping[str, str]]:
    """Measure id → name from the live catalog, for household summaries; empty while nothing is loaded."""

    def names() -> Mapping[str, str]:
        try:
            view = knowledge.current()
        except ServiceUnavailable:
            return {}
        return view.derived("measure_names", lambda v: {m.id: m.name for m in eligibility_of(v).catalog})

    return names


def monitoring_measures(knowledge: LiveKnowledge) -> Callable[[str, str], list[dict[str, str]]]:
    """What a household newly taken into monitoring can apply for: the measures the screener finds eligible for
    a 监测户 of that monitoring type and the hardship's category (empty while nothing is loaded)."""

    def measures(category: str, monitoring_type: str) -> list[dict[str, str]]:
        try:
            view = knowledge.current()
        except ServiceUnavailable:
            return []
        facts: dict[str, Any] = {"household_type": "监测户", "monitoring_type": monitoring_type}
        facts |= CATEGORY_FACTS.get(category, {})
        screener = eligibility_of(view)
        known = {k: v for k, v in facts.items() if k in screener.registry}
        result = screener.screen(known)
        return [{"id": r.measure_id, "name": r.name} for r in result.results if r.status.value == "eligible"]

    return measures


def build_services(
    settings: Settings, *, embedder: Embedder | None = None, clock: Clock = system_clock
) -> Services:
    """Open the records database (migrated), the knowledge store and (lazily) the embedder for one process."""
    db = Database.open(settings)
    hasher = PiiHasher.from_settings(settings)
    store = KnowledgeStore.from_settings(settings)
    knowledge = LiveKnowledge(store, reload_interval=settings.reload_interval)
    unanswered = UnansweredLog(db, legacy_file=settings.data_dir / "unanswered.jsonl")
    services: Services
    retriever = Retriever(lambda: services.embedder, reranker=Reranker())
    curated_store = CuratedStore(db, cache_seconds=settings.reload_interval)
    curated = CuratedAnswers(curated_store, retriever)

    def on_unanswered(question: str, reason: str, origin: object | None = None) -> None:
        # The API passes where the asking chat user is bound (a Jurisdiction, or a function that looks it up only
        # now, on an abstention); anything else counts as the county's.
        where = origin() if callable(origin) else origin
        unanswered.record(question, reason, where=where if isinstance(where, Jurisdiction) else None)

    answers = AnswerService(
        retriever,
        catalog_of=lambda view: eligibility_of(view).catalog,
        on_unanswered=on_unanswered,
        curated=curated,
    )
    knowledge.warmers += [
        retriever.bm25,
        lambda view: view.derived("doc_bm25", DocBM25Index),
        Reranker.texts,
        lambda view: place_words(),  # the dictionary's place names, read once per process
        lambda view: (view.glossary, view.referrals),
        eligibility_of,
    ]
    services = Services(
        settings=settings,
        store=store,
        knowledge=knowledge,
        retriever=retriever,
        answers=answers,
        conversations=Conversations(answers, ConversationLog(db, ttl=settings.conversation_ttl)),
        unanswered=unanswered,
        feedback=FeedbackLog(db, legacy_file=settings.data_dir / "feedback.jsonl"),
        db=db,
        households=HouseholdRecords(db, hasher, measure_names=catalog_names(knowledge)),
        identity=Identity(db, hasher, settings),
        staff=StaffSessions(db),
        curated_store=curated_store,
        curated=curated,
        library=LibraryRecords(db),
        cases=CaseRecords(db, hasher, settings, clock=clock, measures_for=monitoring_measures(knowledge)),
        _embedder=embedder,
    )
    return services
