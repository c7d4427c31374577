"""The composition root: the only place that opens the stores and loads the model."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from core.answers import AnswerService
from core.catalog import Catalog
from core.db import Database
from core.eligibility import EligibilityService
from core.embedding import Embedder, make_embedder
from core.facts import FactRegistry
from core.feedback import FeedbackLog
from core.households import HouseholdRecords, catalog_names
from core.identity import Identity
from core.knowledge import KnowledgeStore
from core.live import KnowledgeView, LiveKnowledge
from core.pii import PiiHasher
from core.retrieval import Retriever
from core.settings import Settings
from core.unanswered import UnansweredLog

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the edges call, built once per process by `build_services`."""

    settings: Settings
    store: KnowledgeStore
    knowledge: LiveKnowledge
    retriever: Retriever
    answers: AnswerService
    unanswered: UnansweredLog
    feedback: FeedbackLog
    db: Database
    households: HouseholdRecords
    identity: Identity
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

        def build(v: KnowledgeView) -> EligibilityService:
            # A corpus without facts.yaml (loose documents only) has no measures to screen.
            registry = FactRegistry.from_dict(v.snapshot.facts) if v.snapshot.facts else FactRegistry([])
            catalog = Catalog.from_dicts(v.snapshot.catalog, registry)
            return EligibilityService(catalog, registry, v.meta)

        return view.derived("eligibility", build)

    def close(self) -> None:
        self.knowledge.close()
        self.db.close()


def build_services(settings: Settings, *, embedder: Embedder | None = None) -> Services:
    """Open the records database (migrated), the knowledge store and (lazily) the embedder for one process."""
    db = Database.open(settings)
    hasher = PiiHasher.from_settings(settings)
    store = KnowledgeStore.from_settings(settings)
    knowledge = LiveKnowledge(store, reload_interval=settings.reload_interval)
    unanswered = UnansweredLog(settings.data_dir / "unanswered.jsonl")
    services: Services
    retriever = Retriever(lambda: services.embedder)
    answers = AnswerService(retriever, on_unanswered=unanswered.record)
    knowledge.warmers += [retriever.bm25, retriever.glossary, lambda view: services.eligibility(view)]
    services = Services(
        settings=settings,
        store=store,
        knowledge=knowledge,
        retriever=retriever,
        answers=answers,
        unanswered=unanswered,
        feedback=FeedbackLog(settings.data_dir / "feedback.jsonl"),
        db=db,
        households=HouseholdRecords(db, hasher, measure_names=catalog_names(knowledge)),
        identity=Identity(db, hasher, settings),
        _embedder=embedder,
    )
    return services
