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
proposed it. When the glossary recognises a villager's word in the question, the dense leg counts more and the
document term less (formal questions never trigger it). Weights were chosen with `python -m benchmarks.tune_fusion` on the colloquial eval set and
NCPPolicies together; an optional reciprocal-rank term and a query-adaptive weight shift are kept as settings
(they did not help on these sets). Measured figures are in the closing note of the answers issue.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from core.embedding import Embedder
from core.live import KnowledgeView
from core.models import ChunkRecord
from core.text import normalize_query, tokenize

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]


@dataclass(frozen=True)
class FusionConfig:
    """Weights of the fusion; defaults were tuned on the colloquial eval set and NCPPolicies."""

    candidates: int = 60
    rrf_k: int = 60
    rrf_weight: float = 0.0
    bm25_weight: float = 0.6
    dense_weight: float = 0.4
    adaptive: bool = False
    adaptive_shift: float = 0.25
    doc_weight: float = 1.0
    doc_candidates: int = 10
    # Colloquial questions (the glossary recognised a villager's word): trust the dense leg more and the
    # whole-document term less, since the words typed are not the words of the notice.
    colloquial_bm25_weight: float = 0.45
    colloquial_doc_weight: float = 0.3


@dataclass
class AnalyzedQuery:
    """A query after normalisation and glossary expansion."""

    original: str
    normalized: str
    expansions: list[str] = field(default_factory=list)
    glossary_hits: list[str] = field(default_factory=list)

    @property
    def expanded(self) -> str:
        return self.normalized if not self.expansions else self.normalized + " " + " ".join(self.expansions)


@dataclass
class RetrievedChunk:
    """A chunk with its fused score and the scores of each leg (None where that leg missed it)."""

    chunk: ChunkRecord
    score: float
    bm25: float | None = None
    dense: float | None = None


class Glossary:
    """Colloquial → policy term expansion, longest match first."""

    def __init__(self, entries: Sequence[dict[str, object]]) -> None:
        pairs: list[tuple[str, list[str]]] = []
        for e in entries:
            key = normalize_query(str(e.get("colloquial", ""))).lower()
            terms = e.get("terms") or []
            if key and isinstance(terms, list):
                pairs.append((key, [str(t) for t in terms]))
        pairs.sort(key=lambda p: -len(p[0]))
        self._pairs = pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def expand(self, normalized: str) -> tuple[list[str], list[str]]:
        """Terms to add for the colloquial words found in `normalized`, and the words found."""
        text = normalized.lower()
        covered = [False] * len(text)
        terms: list[str] = []
        hits: list[str] = []
        for key, targets in self._pairs:
            start = text.find(key)
            while start != -1:
                if not any(covered[start : start + len(key)]):
                    for i in range(start, start + len(key)):
                        covered[i] = True
                    hits.append(key)
                    terms.extend(t for t in targets if t not in terms and t not in text)
                    break
                start = text.find(key, start + 1)
        return terms, hits


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
        self._index = BM25Index([tokenize(f"{d.meta.title} {d.meta.title} {d.text}") for d in docs])

    def top(self, tokens: list[str], n: int) -> dict[str, float]:
        scores = self._index.scores(tokens)
        order = np.argsort(-scores)[:n]
        return {self.doc_ids[int(i)]: float(scores[i]) for i in order if scores[i] > 0}


@dataclass
class Legs:
    """Candidates of one query: chunk BM25 scores, dense cosines, and document-level BM25 scores."""

    bm25: dict[int, float]
    dense: dict[int, float]
    docs: dict[str, float] = field(default_factory=dict)
    chunk_doc: dict[int, str] = field(default_factory=dict)


class Retriever:
    """Searches the live knowledge view; the embedder is taken lazily from a provider."""

    def __init__(self, embedder: Callable[[], Embedder], config: FusionConfig | None = None) -> None:
        self._embedder = embedder
        self.config = config or FusionConfig()

    # -- per-generation indexes ------------------------------------------------------------------
    @staticmethod
    def bm25(view: KnowledgeView) -> BM25Index:
        return view.derived("bm25", lambda v: BM25Index.of_chunks(v.chunks))

    @staticmethod
    def glossary(view: KnowledgeView) -> Glossary:
        return view.derived("glossary", lambda v: Glossary(v.snapshot.glossary))

    def analyze(self, view: KnowledgeView, query: str) -> AnalyzedQuery:
        return analyze(query, self.glossary(view))

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
    ) -> list[RetrievedChunk]:
        """The `k` best chunks for `query`, optionally only of one category or in force on a date."""
        aq = query if isinstance(query, AnalyzedQuery) else self.analyze(view, query)
        chunks = view.chunks
        if not chunks or not aq.normalized:
            return []
        cfg = self.config
        n_cand = max(cfg.candidates, k * 4)

        def allowed(c: ChunkRecord) -> bool:
            if category and c.meta.category != category:
                return False
            return not (in_force_on and not c.meta.in_force(in_force_on))

        legs = self.legs(view, aq, n_cand, mode=mode, allowed=allowed if (category or in_force_on) else None)
        bm25, dense = legs.bm25, legs.dense
        fused = self._fuse(legs, mode, aq)
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
    ) -> Legs:
        """Candidate chunk indexes with their raw BM25 scores and dense cosines (and document scores)."""
        chunks = view.chunks
        widen = 4 if allowed else 1
        bm25: dict[int, float] = {}
        dense: dict[int, float] = {}
        legs = Legs(bm25, dense)
        tokens = tokenize(aq.expanded)
        scores = np.zeros(0, dtype=np.float32)
        if mode in ("hybrid", "bm25"):
            scores = self.bm25(view).scores(tokens)
            top = np.argpartition(-scores, min(len(scores) - 1, n_cand * widen))[: n_cand * widen]
            for i in sorted(top, key=lambda j: -scores[j]):
                if scores[i] <= 0:
                    break
                if allowed is None or allowed(chunks[int(i)]):
                    bm25[int(i)] = float(scores[i])
                    if len(bm25) >= n_cand:
                        break
        if mode in ("hybrid", "dense"):
            vec = self._embedder().embed_query(aq.expanded if aq.expansions else aq.normalized)
            for cid, sim in view.reader.query(vec, min(len(chunks), n_cand * widen)):
                i = view.chunk_index.get(cid)
                if i is not None and (allowed is None or allowed(chunks[i])):
                    dense[i] = sim
                    if len(dense) >= n_cand:
                        break
        if mode == "hybrid" and self.config.doc_weight > 0 and len(scores):
            doc_index = view.derived("doc_bm25", DocBM25Index)
            legs.docs = doc_index.top(tokens, self.config.doc_candidates)
            present = {chunks[i].doc_id for i in (*bm25, *dense)}
            for doc_id in legs.docs:
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
        top_doc = max(legs.docs.values(), default=0.0) or 1.0
        doc_weight = cfg.colloquial_doc_weight if aq.glossary_hits else cfg.doc_weight
        nb = _max_norm(bm25)
        nd = _minmax_norm(dense)
        wb, wd = cfg.bm25_weight, cfg.dense_weight
        if aq.glossary_hits:
            wb, wd = cfg.colloquial_bm25_weight, 1.0 - cfg.colloquial_bm25_weight
        if cfg.adaptive:
            wb, wd = _adaptive_weights(bm25, dense, aq, wb, cfg.adaptive_shift)
        rb = {i: r for r, i in enumerate(sorted(bm25, key=lambda i: -bm25[i]), 1)}
        rd = {i: r for r, i in enumerate(sorted(dense, key=lambda i: -dense[i]), 1)}
        out: dict[int, float] = {}
        for i in set(bm25) | set(dense):
            rrf = (wb / (cfg.rrf_k + rb[i]) if i in rb else 0.0) + (
                wd / (cfg.rrf_k + rd[i]) if i in rd else 0.0
            )
            doc = legs.docs.get(legs.chunk_doc.get(i, ""), 0.0) / top_doc
            out[i] = (
                wb * nb.get(i, 0.0)
                + wd * nd.get(i, 0.0)
                + cfg.rrf_weight * rrf * (cfg.rrf_k + 1)
                + doc_weight * doc
            )
        return out


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


def _adaptive_weights(
    bm25: dict[int, float], dense: dict[int, float], aq: AnalyzedQuery, wb: float, max_shift: float
) -> tuple[float, float]:
    """Shift weight towards the leg that is more confident for this query."""
    if not bm25:
        return 0.0, 1.0
    if not dense:
        return 1.0, 0.0
    # BM25 confidence: how far the best score stands above the runner-up pack.
    vals = sorted(bm25.values(), reverse=True)
    top = vals[0]
    pack = float(np.mean(vals[1:6])) if len(vals) > 1 else 0.0
    bm25_margin = (top - pack) / top if top > 0 else 0.0
    dvals = sorted(dense.values(), reverse=True)
    dense_margin = (
        (dvals[0] - float(np.mean(dvals[1:6]))) / max(1e-6, 1 - dvals[0]) if len(dvals) > 1 else 0.0
    )
    dense_margin = min(1.0, max(0.0, dense_margin))
    shift = max_shift * math.tanh(2.0 * (bm25_margin - dense_margin))
    if aq.glossary_hits:
        shift -= 0.05
    wb2 = min(0.9, max(0.1, wb + shift))
    return wb2, 1.0 - wb2
