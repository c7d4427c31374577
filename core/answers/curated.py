"""Curated answers (标准答案): checking a cadre's draft against the documents, and answering a question that is
the same as a curated one with the curated text and its verbatim citations.

Stored entries come from a `CuratedSource` (the records area's store, wired in core/services.py), so answers and
records stay independent. Two guarantees hold as for extractive answers:

* every quote is a verbatim part of its document, and every number of the answer is in one of the quotes
  (`check_draft` refuses anything else, and the API turns that into a 422);
* an entry whose document was superseded, removed, or no longer holds the quote has *lapsed* and is never served.

Matching is strict on purpose: a villager who asks a *different* question that looks alike (低保 instead of 特困,
怎么申请 instead of 多少钱, 60岁 instead of 70岁) must get the extractive answer, not a wrong curated one. A question
matches an entry's question or one of its other phrasings when all of these hold:

1. it asks for the same kinds of fact (core/answers/intent.py: amount, time, how …);
2. it holds the same numbers;
3. neither side has a topic word the other lacks, where a topic word is one the documents use in less than
   `TOPIC_SHARE` of them (low-IDF words such as 政策 or 申请 are not topic words; words no document uses —
   villagers' own words — are left to the next check; single characters such as 钱 or 补, and a few filler
   words, are not topic words), and a word counts as present when the other side's text holds it however
   jieba cut it (能奖补 holds 奖补) or has a two-character part of it (每学期 ~ 一学期);
4. the embedding similarity is at least `MIN_SIMILARITY`.

Example::

    curated = CuratedAnswers(store, retriever)
    curated.check_draft(view, "每人每月补助90元[1]", [("doc", "每人每月补助90元")])   # InvalidInput if not grounded
    hit = curated.match(view, retriever.analyze(view, "残疾人两项补贴一个月能领多少"))
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from core.answers.answer import Answer
from core.answers.intent import classify
from core.answers.retrieval import AnalyzedQuery, DocBM25Index, Retriever
from core.errors import InvalidInput
from core.knowledge.live import KnowledgeView
from core.knowledge.models import Citation
from core.text import tokenize

logger = logging.getLogger(__name__)

MIN_SIMILARITY = 0.92
TOPIC_SHARE = 0.5  # a word used by fewer than this share of the documents names a topic
# Words of a question that name no topic even when the documents rarely use them.
FILLER = frozenset(
    [
        "一个",
        "多少",
        "多少钱",
        "可以",
        "能够",
        "是不是",
        "有没有",
        "现在",
        "今年",
        "俺家",
        "俺们",
        "咱家",
        "政府",
        "国家",
        "一下",
    ]
)
MAX_CITATIONS = 5
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MARKER = re.compile(r"\[\d+\]")

LAPSE_SUPERSEDED = "superseded"
LAPSE_REMOVED = "removed"
LAPSE_QUOTE = "quote_changed"


class CuratedItem(Protocol):
    """What the answers area reads of a stored curated answer."""

    @property
    def id(self) -> int: ...

    @property
    def questions(self) -> tuple[str, ...]: ...

    @property
    def answer(self) -> str: ...

    @property
    def citations(self) -> tuple[tuple[str, str], ...]: ...


class CuratedSource(Protocol):
    """Where curated answers are kept (core/records/curated.py's store)."""

    def entries(self) -> Sequence[CuratedItem]: ...

    def record_use(self, entry_id: int) -> None: ...


@dataclass(frozen=True)
class _Question:
    """A question as the matching checks see it."""

    aq: AnalyzedQuery
    intents: frozenset[str]
    numbers: tuple[str, ...]
    words: set[str]
    topic: set[str]

    @property
    def embed_text(self) -> str:
        return self.aq.expanded if self.aq.expansions else self.aq.normalized


@dataclass(frozen=True)
class CuratedMatch:
    item: CuratedItem
    phrasing: str
    similarity: float


def numbers_of(text: str) -> list[str]:
    """The numbers of an answer text, leaving out its [n] markers."""
    return _NUMBER.findall(_MARKER.sub("", text))


def _has_number(text: str, number: str) -> bool:
    return number in _NUMBER.findall(text)


def lapse_reason(view: KnowledgeView, citations: Sequence[tuple[str, str]]) -> str | None:
    """Why an entry cannot be served on this generation (superseded, removed, quote changed), or None."""
    for doc_id, quote in citations:
        meta = view.meta(doc_id)
        if meta is None:
            return LAPSE_REMOVED
        if meta.superseded_by:
            return LAPSE_SUPERSEDED
        if quote not in view.document(doc_id).text:
            return LAPSE_QUOTE
    return None


class CuratedAnswers:
    """Checks drafts, matches questions to curated answers and turns a match into citations."""

    def __init__(
        self,
        source: CuratedSource,
        retriever: Retriever,
        *,
        min_similarity: float = MIN_SIMILARITY,
        topic_share: float = TOPIC_SHARE,
    ) -> None:
        self.source = source
        self.retriever = retriever
        self.min_similarity = min_similarity
        self.topic_share = topic_share
        self._vectors: dict[str, np.ndarray] = {}
        self._questions: dict[tuple[str, str], _Question] = {}
        self._lock = threading.Lock()

    # -- drafts ----------------------------------------------------------------------------------------------
    def check_draft(self, view: KnowledgeView, answer: str, citations: Sequence[tuple[str, str]]) -> None:
        """InvalidInput, naming every problem, unless each quote is verbatim in its document and every number of
        the answer is in a quote."""
        problems: list[str] = []
        if not answer.strip():
            problems.append("the answer is empty")
        if not citations:
            problems.append("an answer needs at least one quote from a document")
        if len(citations) > MAX_CITATIONS:
            problems.append(f"at most {MAX_CITATIONS} quotes")
        for i, (doc_id, quote) in enumerate(citations, 1):
            meta = view.meta(doc_id)
            if meta is None:
                problems.append(f"quote {i}: no document {doc_id!r}")
            elif len(quote.strip()) < 4:
                problems.append(f"quote {i}: too short (4 characters at least)")
            elif quote not in view.document(doc_id).text:
                problems.append(
                    f"quote {i} is not word for word in {doc_id}: copy it from the document's text"
                )
            elif meta.superseded_by:
                problems.append(
                    f"quote {i}: {doc_id} has been superseded by {meta.superseded_by}; quote that"
                )
        quotes = [q for _, q in citations]
        missing = [n for n in dict.fromkeys(numbers_of(answer)) if not any(_has_number(q, n) for q in quotes)]
        if missing:
            problems.append(f"the answer has numbers no quote holds: {', '.join(missing)}")
        if problems:
            raise InvalidInput("; ".join(problems))

    # -- matching --------------------------------------------------------------------------------------------
    def _vector(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._vectors.get(text)
        if cached is not None:
            return cached
        vec = np.asarray(self.retriever.embed_query(text), dtype=np.float32)
        norm = float(np.linalg.norm(vec)) or 1.0
        vec = vec / norm
        with self._lock:
            if len(self._vectors) > 5000:
                self._vectors.clear()
            self._vectors[text] = vec
        return vec

    def _topic_words(self, view: KnowledgeView, aq: AnalyzedQuery) -> set[str]:
        index = view.derived("doc_bm25", DocBM25Index)
        n = max(len(view.snapshot.documents), 1)
        # idf = log((n + 1) / (df + 0.5)); a word in fewer than topic_share of the documents has a higher idf
        bar = math.log((n + 1) / (self.topic_share * n + 0.5))
        unknown = index.idf("\u2205\u2205")
        return {
            t
            for t in tokenize(aq.normalized)
            if bar < index.idf(t) < unknown
            and t not in FILLER
            and not (len(t) == 1 and "\u4e00" <= t <= "\u9fff")
        }

    def _words(self, aq: AnalyzedQuery) -> set[str]:
        return set(tokenize(aq.expanded))

    @staticmethod
    def _missing(topic: set[str], other: AnalyzedQuery, words: set[str]) -> set[str]:
        """Topic words that the other question neither says (in any segmentation: 能奖补 holds 奖补) nor shares a
        two-character part of."""
        parts = {w for w in words if len(w) >= 2}
        text = other.expanded.lower()
        return {t for t in topic - words if t not in text and not any(p in t for p in parts)}

    def _prepared(self, view: KnowledgeView, text: str | AnalyzedQuery) -> _Question:
        """What the checks compare of a question: built once per generation for each stored phrasing."""
        original = text.original if isinstance(text, AnalyzedQuery) else text
        key = (view.generation, original)
        with self._lock:
            cached = self._questions.get(key)
        if cached is not None:
            return cached
        aq = text if isinstance(text, AnalyzedQuery) else self.retriever.analyze(view, text)
        words = self._words(aq)
        question = _Question(
            aq=aq,
            intents=frozenset(classify(aq.normalized)),
            numbers=tuple(sorted(_NUMBER.findall(aq.normalized))),
            words=words,
            topic=self._topic_words(view, aq),
        )
        with self._lock:
            if len(self._questions) > 5000:
                self._questions.clear()
            self._questions[key] = question
        return question

    def same_question(self, view: KnowledgeView, asked: AnalyzedQuery, phrasing: str) -> float | None:
        """The similarity when `asked` is the same question as `phrasing` (the checks of the module doc), else
        None."""
        return self._same(view, self._prepared(view, asked), phrasing)

    def _same(self, view: KnowledgeView, asked: _Question, phrasing: str) -> float | None:
        other = self._prepared(view, phrasing)
        if asked.intents != other.intents or asked.numbers != other.numbers:
            return None
        if self._missing(asked.topic, other.aq, other.words) or self._missing(
            other.topic, asked.aq, asked.words
        ):
            return None
        similarity = float(self._vector(asked.embed_text) @ self._vector(other.embed_text))
        return similarity if similarity >= self.min_similarity else None

    def match(self, view: KnowledgeView, asked: AnalyzedQuery) -> CuratedMatch | None:
        """The curated answer whose question (or other phrasing) `asked` is, best first; lapsed ones never."""
        try:
            items = list(self.source.entries())
        except Exception:  # the curated store failing must not take live answers down with it
            logger.exception("could not read the curated answers")
            return None
        best: CuratedMatch | None = None
        prepared = self._prepared(view, asked) if items else None
        for item in items:
            if lapse_reason(view, item.citations) is not None:
                continue
            for phrasing in item.questions:
                assert prepared is not None
                similarity = self._same(view, prepared, phrasing)
                if similarity is not None and (best is None or similarity > best.similarity):
                    best = CuratedMatch(item, phrasing, similarity)
        return best

    def citations(self, view: KnowledgeView, item: CuratedItem) -> list[Citation]:
        """The entry's quotes as numbered citations, each with its document's title, 文号 and the section of the
        chunk that holds it."""
        out: list[Citation] = []
        for n, (doc_id, quote) in enumerate(item.citations, 1):
            meta = view.meta(doc_id)
            assert meta is not None  # lapsed entries are never served
            section = next((c.section for c in view.chunks_of(doc_id) if quote in c.text), None)
            out.append(Citation(n, doc_id, meta.title, meta.doc_number, section, quote, 1.0))
        return out

    def answer(self, view: KnowledgeView, asked: AnalyzedQuery, *, count: bool = True) -> Answer | None:
        """The curated answer to `asked` with its citations (its use counted unless not `count`), or None."""
        found = self.match(view, asked)
        if found is None:
            return None
        citations = self.citations(view, found.item)
        if count:
            self.record_use(found.item)
        return Answer(
            answer=with_markers(found.item.answer, citations),
            abstained=False,
            citations=citations,
            source="curated",
            curated_id=found.item.id,
        )

    def record_use(self, item: CuratedItem) -> None:
        try:
            self.source.record_use(item.id)
        except Exception:  # counting must never break the answer
            logger.exception("could not count a curated answer's use")


def with_markers(answer: str, citations: Sequence[Citation]) -> str:
    """The curated text with [n] markers: as written when it has them, else one marker per quote at the end."""
    if _MARKER.search(answer) or not citations:
        return answer
    return answer.rstrip() + "".join(f"[{c.n}]" for c in citations)
