"""Hybrid retrieval: BM25 over jieba tokens + dense vectors from Chroma, fused and rescored.

Example::

    retriever = Retriever(lambda: services.embedder)
    hits = retriever.search(services.knowledge.current(), "我家房子漏雨能修吗", k=5)
    for hit in hits:
        print(hit.score, hit.chunk.meta.title, hit.chunk.section)

Fusion: a weighted sum of the chunk's BM25 score (normalised by the best), its dense cosine (min–max over the
candidates), and the BM25 score of its whole document (normalised by the best document). The document term finds
the notice a formal question is about; the chunk terms pick the passage inside it; dense similarity carries the
colloquial paraphrases. The best passage of each top document joins the candidates even when neither chunk leg
proposed it.

How much the two lexical terms count depends on the question: both are scaled by its *lexical coverage*, the
IDF-weighted share of the question's words that the best lexical document actually uses. A question written in
the notice's own words (a cadre's, or NCPPolicies' formal questions: coverage ≈ 0.9) is matched mostly by words;
a villager's question in words the notices never use (coverage ≈ 0.3) mostly by meaning, where BM25 would chase
whatever document shares its one or two generic words. Two weights, at full coverage, were chosen with
`python -m benchmarks.tune_fusion` on the DEV questions (tests/eval/dev_questions.yaml) and NCPPolicies; the held-out
eval set only reports them.

A second stage (core/answers/rerank.py, passed in as `reranker`) reorders the best fused chunks of a question
asked on its own; a follow-up whose query carries its conversation's words keeps the fused order.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

import numpy as np

from core.answers.places import named_places, prefer_named_places
from core.knowledge.embedding import Embedder
from core.knowledge.glossary import Glossary
from core.knowledge.live import KnowledgeView
from core.knowledge.models import ChunkRecord
from core.text import normalize_query, tokenize

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]
QUERY_VECTORS = 256  # recent query vectors kept (a few KiB each)


@dataclass(frozen=True)
class FusionConfig:
    """Weights of the fusion at full lexical coverage; tuned on the DEV questions and NCPPolicies.

    For a question of lexical coverage c the chunk's BM25 term weighs `bm25_weight * c`, its dense term
    `1 - bm25_weight * c`, and its document's BM25 term `doc_weight * c`.
    """

    candidates: int = 60
    bm25_weight: float = 0.6
    doc_weight: float = 1.5
    doc_candidates: int = 10


@dataclass
class AnalyzedQuery:
    """A query after normalisation and glossary expansion."""

    original: str
    normalized: str
    expansions: list[str] = field(default_factory=list)
    glossary_hits: list[str] = field(default_factory=list)
    carried: str = ""  # words a follow-up's query took from its conversation, not asked in this turn

    @property
    def asked(self) -> str:
        """What this turn asked: the query without the words a follow-up carried from its conversation."""
        return self.normalized.removesuffix(self.carried).strip() if self.carried else self.normalized

    @property
    def expanded(self) -> str:
        return self.normalized if not self.expansions else self.normalized + " " + " ".join(self.expansions)


@dataclass
class RetrievedChunk:
    """A chunk with its fused score and the scores of each leg (None where that leg missed it); `replaces`: the
    passage of a superseded document this one stands in for (core/answers/validity.py)."""

    chunk: ChunkRecord
    score: float
    bm25: float | None = None
    dense: float | None = None
    replaces: ChunkRecord | None = None


def analyze(query: str, glossary: Glossary | None) -> AnalyzedQuery:
    """Normalise (traditional→simplified, full→half width) and expand with the glossary."""
    normalized = normalize_query(query)
    if glossary is None:
        return AnalyzedQuery(query, normalized)
    terms, hits = glossary.expand(normalized)
    return AnalyzedQuery(query, normalized, terms, hits)


class BM25Index:
    """BM25 over jieba tokens of each chunk's title, section and text."""

    def __init__(self, corpus: Sequence[list[str]]) -> None:
        import bm25s

        self._model = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [tokens or ["\u2205"] for tokens in corpus]
        self._model.index(corpus, show_progress=False)
        self._vocab = {t for doc in corpus for t in doc}
        self.size = len(corpus)

    @classmethod
    def of_chunks(cls, chunks: Sequence[ChunkRecord]) -> BM25Index:
        """Index each chunk's title, section and text."""
        return cls([tokenize(f"{c.meta.title} {c.section or ''} {c.text}") for c in chunks])

    def scores(self, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)


class DocBM25Index:
    """BM25 over whole documents (title + text): the notice a formal question is about, as a whole."""

    def __init__(self, view: KnowledgeView) -> None:
        docs = list(view.snapshot.documents.values())
        self.doc_ids = [d.meta.doc_id for d in docs]
        # the title counts twice: a notice's title names what it is about
        corpus = [tokenize(f"{d.meta.title} {d.meta.title} {d.text}") for d in docs]
        self._index = BM25Index(corpus)
        self._words = {doc_id: frozenset(tokens) for doc_id, tokens in zip(self.doc_ids, corpus, strict=True)}
        df = Counter(t for words in self._words.values() for t in words)
        n = len(docs)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._idf_unknown = math.log((n + 1) / 0.5)  # a word no document uses is the rarest of all

    def idf(self, token: str) -> float:
        """How rare `token` is across the documents (a word no document uses counts as the rarest)."""
        return self._idf.get(token, self._idf_unknown)

    def top(self, tokens: list[str], n: int) -> dict[str, float]:
        scores = self._index.scores(tokens)
        order = np.argsort(-scores)[:n]
        return {self.doc_ids[int(i)]: float(scores[i]) for i in order if scores[i] > 0}

    def coverage(self, tokens: list[str], doc_id: str) -> float:
        """IDF-weighted share of the distinct `tokens` that the document uses (0 when nothing to match)."""
        words = self._words.get(doc_id)
        weights = {t: self.idf(t) for t in set(tokens)}
        total = sum(weights.values())
        if not words or total <= 0:
            return 0.0
        return sum(w for t, w in weights.items() if t in words) / total


@dataclass
class Legs:
    """Candidates of one query: chunk BM25 scores, dense cosines, document-level BM25 scores, lexical coverage."""

    bm25: dict[int, float]
    dense: dict[int, float]
    docs: dict[str, float] = field(default_factory=dict)
    chunk_doc: dict[int, str] = field(default_factory=dict)
    # how much of the question the best lexical document's words cover (DocBM25Index.coverage)
    coverage: float = 0.0


class Reorder(Protocol):
    """A second stage over the fused candidates (core/answers/rerank.py `Reranker`)."""

    def rerank(
        self, view: KnowledgeView, aq: AnalyzedQuery, legs: Legs, fused: dict[int, float]
    ) -> dict[int, float]: ...


class Retriever:
    """Searches the live knowledge view; the embedder is taken lazily from a provider. With a `reranker`, hybrid
    searches reorder the best fused chunks with it."""

    def __init__(
        self,
        embedder: Callable[[], Embedder],
        config: FusionConfig | None = None,
        reranker: Reorder | None = None,
    ) -> None:
        self._embedder = embedder
        self.config = config or FusionConfig()
        self.reranker = reranker
        # One answer may search twice for the same words (a superseded rule's successor, a clarifying list):
        # the model is the slow part, so recent query vectors are kept.
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_lock = threading.Lock()

    def embed_query(self, text: str) -> np.ndarray:
        """The vector the dense leg searches with for `text` (from the recent ones when it was just embedded)."""
        with self._vectors_lock:
            if text in self._vectors:
                self._vectors.move_to_end(text)
                return self._vectors[text]
        vec = np.asarray(self._embedder().embed_query(text), dtype=np.float32)
        vec.setflags(write=False)  # shared by every caller of the same words
        with self._vectors_lock:
            self._vectors[text] = vec
            while len(self._vectors) > QUERY_VECTORS:
                self._vectors.popitem(last=False)
        return vec

    # -- per-generation indexes ------------------------------------------------------------------
    @staticmethod
    def bm25(view: KnowledgeView) -> BM25Index:
        """The chunk BM25 index of a generation, built once."""
        return view.derived("bm25", lambda v: BM25Index.of_chunks(v.chunks))

    def analyze(self, view: KnowledgeView, query: str) -> AnalyzedQuery:
        """The query normalised and expanded with the generation's glossary."""
        return analyze(query, view.glossary)

    # -- search ----------------------------------------------------------------------------------
    def search(
        self,
        view: KnowledgeView,
        query: str | AnalyzedQuery,
        k: int = 5,
        *,
        mode: Mode = "hybrid",
        category: str | None = None,
        in_force_on: date | None = None,
        doc_ids: Collection[str] | None = None,
    ) -> list[RetrievedChunk]:
        """The `k` best chunks for `query`, optionally only of one category, in force on a date, or of the
        documents `doc_ids`."""
        aq = query if isinstance(query, AnalyzedQuery) else self.analyze(view, query)
        chunks = view.chunks
        if not chunks or not aq.normalized:
            return []
        cfg = self.config
        # The same candidate pool whatever k is: the fused order of the top k must not depend on k (the
        # normalisations are over the pool), so an eval that asks for 60 sees what an answer that asks for 8 sees.
        n_cand = max(cfg.candidates, k)

        def allowed(c: ChunkRecord) -> bool:
            if category and c.meta.category != category:
                return False
            return not (in_force_on and not c.meta.in_force(in_force_on))

        legs = self.legs(
            view,
            aq,
            n_cand,
            mode=mode,
            allowed=allowed if (category or in_force_on) else None,
            doc_ids=doc_ids,
        )
        bm25, dense = legs.bm25, legs.dense
        fused = self._fuse(legs, mode, aq)
        if self.reranker is not None and mode == "hybrid" and not aq.carried:
            fused = self.reranker.rerank(view, aq, legs, fused)
        if mode == "hybrid":
            fused = prefer_named_places(chunks, named_places(aq.normalized), fused)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        return [RetrievedChunk(chunks[i], s, bm25.get(i), dense.get(i)) for i, s in ranked]

    def legs(
        self,
        view: KnowledgeView,
        aq: AnalyzedQuery,
        n_cand: int,
        *,
        mode: Mode = "hybrid",
        allowed: Callable[[ChunkRecord], bool] | None = None,
        doc_ids: Collection[str] | None = None,
    ) -> Legs:
        """Candidate chunk indexes with their raw BM25 scores and dense cosines (and document scores); with
        `doc_ids`, every chunk of those documents is a candidate and no other."""
        chunks = view.chunks
        own: list[int] = []
        if doc_ids is not None:
            own = sorted(i for d in doc_ids for i in view.doc_chunks.get(d, []))
            allowed = _within(doc_ids, allowed)
            n_cand = min(n_cand, len(own)) or 1
        widen = 4 if allowed else 1
        bm25: dict[int, float] = {}
        dense: dict[int, float] = {}
        legs = Legs(bm25, dense)
        tokens = tokenize(aq.expanded)
        scores = np.zeros(0, dtype=np.float32)
        if mode in ("hybrid", "bm25"):
            scores = self.bm25(view).scores(tokens)
            top = np.argpartition(-scores, min(len(scores) - 1, n_cand * widen))[: n_cand * widen]
            if doc_ids is not None:
                top = np.array(own, dtype=np.int64)
            for i in sorted(top, key=lambda j: -scores[j]):
                if scores[i] <= 0:
                    break
                if allowed is None or allowed(chunks[int(i)]):
                    bm25[int(i)] = float(scores[i])
                    if len(bm25) >= n_cand:
                        break
        if mode in ("hybrid", "dense"):
            vec = self.embed_query(aq.expanded if aq.expansions else aq.normalized)
            n_dense = len(own) if doc_ids is not None else min(len(chunks), n_cand * widen)
            for cid, sim in view.reader.query(vec, n_dense, doc_ids=doc_ids):
                i = view.chunk_index.get(cid)
                if i is not None and (allowed is None or allowed(chunks[i])):
                    dense[i] = sim
                    if len(dense) >= n_cand:
                        break
        if mode == "hybrid" and len(scores):
            doc_index = view.derived("doc_bm25", DocBM25Index)
            legs.docs = doc_index.top(tokens, self.config.doc_candidates)
            if legs.docs:
                # the words the villager typed, not the glossary's policy terms: do the notices speak like this?
                best_doc = max(legs.docs, key=lambda d: legs.docs[d])
                legs.coverage = doc_index.coverage(tokenize(aq.normalized), best_doc)
            present = {chunks[i].doc_id for i in (*bm25, *dense)}
            for doc_id in legs.docs if self.config.doc_weight > 0 else ():
                if doc_id in present:
                    continue
                own = [i for i in view.doc_chunks.get(doc_id, []) if allowed is None or allowed(chunks[i])]
                if own:  # the document's best passage joins the candidates
                    best = max(own, key=lambda i: scores[i])
                    bm25.setdefault(best, float(scores[best]))
        legs.chunk_doc = {i: chunks[i].doc_id for i in (*bm25, *dense)}
        return legs

    def _fuse(self, legs: Legs, mode: Mode, aq: AnalyzedQuery) -> dict[int, float]:
        bm25, dense = legs.bm25, legs.dense
        if mode == "bm25":
            return dict(bm25)
        if mode == "dense":
            return dict(dense)
        cfg = self.config
        # Lexical evidence counts as much as the question's words are the documents' words (see the module doc).
        wb = cfg.bm25_weight * legs.coverage
        wd = 1.0 - wb
        wdoc = cfg.doc_weight * legs.coverage
        top_doc = max(legs.docs.values(), default=0.0) or 1.0
        nb = _max_norm(bm25)
        nd = _minmax_norm(dense)
        out: dict[int, float] = {}
        for i in set(bm25) | set(dense):
            doc = legs.docs.get(legs.chunk_doc.get(i, ""), 0.0) / top_doc
            out[i] = wb * nb.get(i, 0.0) + wd * nd.get(i, 0.0) + wdoc * doc
        return out


def _within(
    doc_ids: Collection[str], allowed: Callable[[ChunkRecord], bool] | None
) -> Callable[[ChunkRecord], bool]:
    """`allowed`, narrowed to the chunks of `doc_ids`."""
    return lambda c: c.doc_id in doc_ids and (allowed is None or allowed(c))


def _max_norm(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    top = max(scores.values()) or 1.0
    return {i: s / top for i, s in scores.items()}


def _minmax_norm(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    span = hi - lo
    if span <= 1e-9:
        return dict.fromkeys(scores, 1.0)
    return {i: (s - lo) / span for i, s in scores.items()}
