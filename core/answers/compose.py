"""Grounded, extractive answers with citations; honest abstention when the corpus has no answer.

Every sentence of an answer is either a verbatim sentence of a cited chunk or a line of a measure card whose
numbers all appear in a cited chunk; each carries its [n] marker. Nothing is made up.

Example::

    service = AnswerService(retriever, catalog_of=lambda view: services.eligibility(view).catalog)
    answer = service.ask(services.knowledge.current(), "我家房子漏雨能修吗")
    print(answer.answer, [c.doc_id for c in answer.citations])
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from core.answers import conversation, smalltalk, texts, turn_hits, validity
from core.answers.answer import DRY_RUN, Answer, UnansweredSink
from core.answers.cards import card_lines, match_measures
from core.answers.clarify import clarify_choices
from core.answers.conversation import ConversationContext, Resolution
from core.answers.curated import CuratedAnswers
from core.answers.intent import classify
from core.answers.leads import PASSAGE_HITS, Candidate, LeadPicker
from core.answers.measures import CatalogOf, MeasureCard, no_catalog
from core.answers.passages import PassageWeights
from core.answers.relevance import RelevanceConfig, RelevanceFeatures, is_hostile, relevance_features
from core.answers.retrieval import AnalyzedQuery, RetrievedChunk, Retriever
from core.knowledge.live import KnowledgeView
from core.knowledge.models import ChunkRecord, Citation

logger = logging.getLogger(__name__)


class AnswerService:
    """Composes answers from retrieval results and the measure catalog (`catalog_of`: a generation's measures)."""

    def __init__(
        self,
        retriever: Retriever,
        *,
        catalog_of: CatalogOf = no_catalog,
        relevance: RelevanceConfig | None = None,
        on_unanswered: UnansweredSink | None = None,
        today: Callable[[], date] = date.today,
        curated: CuratedAnswers | None = None,
        passage_weights: PassageWeights | None = None,
    ) -> None:
        self.retriever = retriever
        self.catalog_of = catalog_of
        self.relevance = relevance or RelevanceConfig()
        self.on_unanswered = on_unanswered
        self.today = today
        self.curated = curated
        self.leads = LeadPicker(passage_weights or PassageWeights(), today)

    def ask(
        self,
        view: KnowledgeView,
        question: str,
        top_k: int = 3,
        context: ConversationContext | None = None,
        *,
        origin: object | None = None,
    ) -> Answer:
        """Answer `question` from the live knowledge base, read in its conversation's `context`, or abstain.

        A question that is the same as a curated one gets the curated answer; `origin` (who asked, opaque here)
        goes with an abstention to `on_unanswered`.
        """
        if is_hostile(question):
            answer = self._abstain(question, texts.ABSTAIN_HOSTILE, "hostile", origin)
            answer.context = context
            return answer
        polite = smalltalk.reply(question)
        if polite is not None:  # 好的, 谢谢, 你好: nothing asked; the conversation goes on as it was
            return Answer(answer=polite, abstained=False, context=context)
        aq = self.retriever.analyze(view, question)
        turn = conversation.resolve(view, aq, context, catalog=self.catalog_of(view))
        curated = self._curated(view, aq, count=origin is not DRY_RUN)
        if curated is not None:
            answer = curated
        elif turn.kind == "orphan":
            answer = self._clarify(view, aq, origin)
        else:
            answer = self._answer(view, self._turn_query(view, aq, turn), top_k, turn, origin)
        answer.context = conversation.next_context(
            context,
            question,
            turn,
            answered=not answer.abstained,
            doc_ids=[c.doc_id for c in answer.citations],
            measure_ids=[m["id"] for m in answer.measures],
            lead_chunk=answer.lead_chunk,
        )
        return answer

    def _turn_query(self, view: KnowledgeView, aq: AnalyzedQuery, turn: Resolution) -> AnalyzedQuery:
        """The question as its conversation reads it (the asked words kept for the unanswered log)."""
        if turn.query == aq.normalized:
            return aq
        resolved = self.retriever.analyze(view, turn.query)
        resolved.original = aq.original
        resolved.carried = turn.carried
        return resolved

    def _curated(self, view: KnowledgeView, aq: AnalyzedQuery, *, count: bool = True) -> Answer | None:
        """The curated answer of the same question, with its verbatim citations, or None."""
        return self.curated.answer(view, aq, count=count) if self.curated is not None else None

    def _clarify(self, view: KnowledgeView, aq: AnalyzedQuery, origin: object | None = None) -> Answer:
        """A topic-less follow-up with no conversation: ask back which of the likeliest measures it means."""
        today = self.today()
        # Measures in force first: an expired notice is never the likeliest thing a villager means.
        hits = sorted(self.retriever.search(view, aq, k=40), key=lambda h: not h.chunk.meta.in_force(today))
        choices = clarify_choices(hits, self.catalog_of(view), aq.normalized)
        if not choices:
            return self._abstain(aq.original, texts.ABSTAIN, "no_match", origin)
        names = texts.LIST_SEP.join(f"“{c['name']}”" for c in choices)
        return Answer(answer=texts.CLARIFY.format(names=names), abstained=False, clarify=choices)

    def _answer(
        self,
        view: KnowledgeView,
        aq: AnalyzedQuery,
        top_k: int,
        turn: Resolution | None = None,
        origin: object | None = None,
    ) -> Answer:
        question = aq.original
        hits = self._answerable(view, aq, top_k, turn)
        if hits is None:
            # Another office's business (公积金, 离婚, 驾照 …): say whom to ask instead.
            referral = view.referrals.match(aq.normalized)
            if referral is not None:
                message = texts.ABSTAIN_REFERRAL.format(office=referral.office)
                return self._abstain(question, message, "out_of_scope", origin)
            return self._abstain(question, texts.ABSTAIN, "no_match", origin)
        measures = match_measures(self.catalog_of(view), aq, hits, turn.prefer_measures if turn else ())
        return self._compose(view, aq, hits, measures, top_k, origin)

    def _answerable(
        self, view: KnowledgeView, aq: AnalyzedQuery, top_k: int = 3, turn: Resolution | None = None
    ) -> list[RetrievedChunk] | None:
        """The ranked hits an answer is composed from, or None when they do not answer the question at all.

        A follow-up that only asks how, when or who about the conversation's topic is not judged again: its
        query is the villager's earlier words, which the relevance model would read as a fresh question.
        """
        hits = self.retriever.search(view, aq, k=max(8, top_k * 2))
        if turn is not None and aq.carried and turn.prefer_docs:
            own = self.retriever.search(view, aq.original, k=max(8, top_k * 2), doc_ids=turn.prefer_docs)
            hits = turn_hits.add_own_candidates(hits, own)
        hits = turn_hits.prefer_documents(self._prefer_in_force(hits), turn.prefer_docs if turn else ())
        if turn is not None and turn.prefer_chunk:
            hits = turn_hits.prefer_chunk(view, hits, turn.prefer_chunk)
        if not hits:
            return None
        if not (turn is not None and turn.topic_in_scope) and not self._relevant(view, aq, hits):
            return None
        return validity.stand_in_successors(self.retriever, view, aq, hits, today=self.today())

    # -- steps -----------------------------------------------------------------------------------
    def _abstain(self, question: str, message: str, reason: str, origin: object | None = None) -> Answer:
        if self.on_unanswered and origin is not DRY_RUN:
            try:
                self.on_unanswered(question, reason, origin)
            except Exception:  # logging a miss must never break the answer
                logger.exception("could not record an unanswered question")
        return Answer(answer=message, abstained=True, reason=reason)

    def _prefer_in_force(self, hits: list[RetrievedChunk]) -> list[RetrievedChunk]:
        return validity.prefer_in_force(hits, today=self.today())

    def features(
        self, view: KnowledgeView, aq: AnalyzedQuery, hits: Sequence[RetrievedChunk]
    ) -> RelevanceFeatures:
        """What the relevance model sees of the question and its ranked hits."""
        return relevance_features(view, aq, hits, self.catalog_of(view))

    def _relevant(self, view: KnowledgeView, aq: AnalyzedQuery, hits: Sequence[RetrievedChunk]) -> bool:
        """Whether the ranked hits answer the question at all (see core/answers/relevance.py)."""
        return self.relevance.relevant(self.features(view, aq, hits))

    def _compose(
        self,
        view: KnowledgeView,
        aq: AnalyzedQuery,
        hits: list[RetrievedChunk],
        measures: list[MeasureCard],
        top_k: int,
        origin: object | None = None,
    ) -> Answer:
        """The passage that states what was asked first, then supporting passages, then the measure card."""
        cites = _Citations(view)
        asks = classify(aq.asked)
        lines: list[str] = []
        picked = self.leads.pick(view, aq, hits[: max(top_k, PASSAGE_HITS)], asks)
        for chunk, text, score in picked:
            n = cites.add(chunk, score)
            lines.append(f"{text}[{n}]")
        validity.cite_replaced(hits, [chunk for chunk, _, _ in picked], cites)
        if measures:
            lines.extend(card_lines(view, measures[0], cites, asks, said="".join(lines)))
        lines.extend(self._validity_notes(view, cites))
        if not cites.items:
            return self._abstain(aq.original, texts.ABSTAIN, "no_match", origin)
        return Answer(
            answer="\n".join(lines),
            abstained=False,
            citations=cites.items,
            measures=[{"id": m.id, "name": m.name} for m in measures],
            lead_chunk=picked[0][0].chunk_id if picked else "",
        )

    def lead_candidates(self, view: KnowledgeView, question: str) -> list[Candidate]:
        """The passages `ask` would choose its lead from, for a question asked without a conversation (used by
        `benchmarks/fit_passages.py`); empty when it would abstain."""
        aq = self.retriever.analyze(view, question)
        hits = self._answerable(view, aq)
        return (
            [] if hits is None else self.leads.candidates(view, aq, hits[:PASSAGE_HITS], classify(aq.asked))
        )

    def _validity_notes(self, view: KnowledgeView, cites: _Citations) -> list[str]:
        return validity.validity_notes(view, cites, today=self.today())


class _Citations:
    """Numbered citations, one per chunk."""

    def __init__(self, view: KnowledgeView) -> None:
        self.view = view
        self.items: list[Citation] = []
        self._by_chunk: dict[str, int] = {}

    def add(self, chunk: ChunkRecord, score: float) -> int:
        if chunk.chunk_id in self._by_chunk:
            return self._by_chunk[chunk.chunk_id]
        n = len(self.items) + 1
        self.items.append(
            Citation(
                n=n,
                doc_id=chunk.doc_id,
                title=chunk.meta.title,
                doc_number=chunk.meta.doc_number,
                section=chunk.section,
                text=chunk.text,
                score=round(float(score), 4),
            )
        )
        self._by_chunk[chunk.chunk_id] = n
        return n
