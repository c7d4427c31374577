"""Second-stage ranking of the fused candidates: the few best chunks reordered by a fitted linear model.

The fusion (core/answers/retrieval.py) weighs three scores that each see the question as a bag of words or as
one vector. What they miss is how much of the question a chunk says in its own words: the question's character
pairs (jieba splits a phrase differently in a question and in a notice), the longest phrase it copies, its rare
words in this chunk rather than anywhere in the document, the title naming the question's subject. The top
`RERANK_DEPTH` fused chunks are scored on `FEATURES` with `RerankWeights`, fitted by
`python -m benchmarks.fit_rerank` on the DEV splits of three corpora (a chunk is a positive when it holds the
question's answer key, or failing that belongs to its gold document); the rest keep their fused order below them.
A villager's question in words the documents never use (lexical coverage below MIN_COVERAGE) is not reordered.

Example::

    reranker = Reranker(RerankWeights())
    order = reranker.rerank(view, aq, legs, fused)   # {chunk index: score}, the top chunks reordered
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, fields

from core.answers import intent
from core.answers.linear import LinearWeights
from core.answers.passages import char_bigrams, halve_compound_parts, longest_run
from core.answers.retrieval import AnalyzedQuery, DocBM25Index, Legs
from core.knowledge.live import KnowledgeView
from core.text import split_sentences, tokenize

RERANK_DEPTH = 20  # fused candidates the model reorders
# A question in words the notices never use (lexical coverage below this, core/answers/retrieval.py) keeps the
# fused order: the features here are all but zero for it, and the fusion already ranks it by meaning. Chosen on the
# DEV splits (0, 0.15, 0.3 tried: equal on NCP and realdocs, one policies answer fewer and one follow-up more).
MIN_COVERAGE = 0.15
# Scores are exp((model score - best) / TEMPERATURE), the best being 1: the scale the score factors downstream (a
# rule not in force, the previous turn's document) and the passage model's `rank` read. Chosen end to end on the
# DEV splits of the three corpora (4, 6 and 8 tried).
TEMPERATURE = 4.0

FEATURES = (
    "fused",  # the fusion's score over the best one's
    "rank",  # 1 / (1 + the fused rank)
    "bm25",  # the chunk's BM25 score over the best one's (0 when BM25 did not propose it)
    "dense",  # its cosine minus the best cosine
    "doc",  # its document's BM25 score over the best document's
    "words",  # IDF-weighted share of the asked words the chunk uses (title and section included)
    "doc_words",  # the same over its whole document
    "bigrams",  # IDF-weighted share of the question's character pairs in the chunk
    "title",  # the same in its document's title
    "run",  # the longest phrase of the question the chunk copies, over the question's length
    "bigrams_cov",  # bigrams × the question's lexical coverage (a formal question is matched by its phrases)
    "run_cov",  # run × coverage
    "expansions",  # share of the glossary's terms for the question in the chunk
    "focus",  # the bigram share of the chunk's best sentence (the question answered in one place)
    "doc_best",  # the best bigram share among its document's candidates (the document as a whole is asked about)
    "doc_count",  # the share of the candidates that come from its document
    "states",  # the chunk states the kind of fact asked (an amount, a time or an age with its unit; who, what to
    # bring, whom to contact): the share of such asked kinds it states, 0 when the question asks none of them
)


@dataclass(frozen=True)
class RerankWeights(LinearWeights):
    """Weights of FEATURES, fitted with `python -m benchmarks.fit_rerank` (the reference it is pulled toward, the
    fused order, is `fused` alone).

    `states` came after the others were fitted and is set end to end on the DEV splits (0.5, 1, 1.5 and 2 tried; 1
    best on all three corpora). A refit of all weights with it ranked better out of fold (NCP key@1 0.758 → 0.765)
    but answered worse (NCP key in answer 0.668 against 0.683): the passage model reads this ranking's scores and
    was fitted on the current ones. Refit both together when refitting."""

    fused: float = 5.527
    rank: float = 0.248
    bm25: float = 0.318
    dense: float = 26.54
    doc: float = 0.175
    words: float = -1.355
    doc_words: float = 1.034
    bigrams: float = 2.678
    title: float = 4.421
    run: float = -0.336
    bigrams_cov: float = 5.553
    run_cov: float = 0.603
    expansions: float = 1.327
    focus: float = 0.383
    doc_best: float = 1.892
    doc_count: float = -1.294
    states: float = 1.0


assert tuple(f.name for f in fields(RerankWeights)) == FEATURES


# The kinds of fact a chunk can be seen to state; how to apply and yes/no are said by nearly every rule.
_FACT_KINDS = (intent.AMOUNT, intent.TIME, intent.AGE, intent.WHO, intent.MATERIALS, intent.CONTACT)


def _states(asks: list[str], text: str) -> float:
    """The share of the asked kinds of fact `text` states (`intent.states_fact`)."""
    return sum(intent.states_fact(k, text) for k in asks) / len(asks) if asks else 0.0


class ChunkTexts:
    """Per generation: each chunk's searchable text (title, section, body; lower case), its words, its body's
    sentences, and the document frequency of character pairs (their rarity weighs a copied phrase)."""

    def __init__(self, view: KnowledgeView) -> None:
        self.text = [f"{c.meta.title} {c.section or ''} {c.text}".lower() for c in view.chunks]
        self.words = [frozenset(tokenize(t)) for t in self.text]
        self.sentences = [
            tuple(body[a:b] for a, b in split_sentences(body))
            for body in (c.text.lower() for c in view.chunks)
        ]
        df: Counter[str] = Counter()
        for t in self.text:
            df.update(char_bigrams(t))
        n = len(self.text)
        self._idf = {b: math.log((n + 1) / (c + 0.5)) for b, c in df.items()}

    def bigram_idf(self, bigram: str) -> float | None:
        """How rare the pair is among the chunks; None when no chunk contains it."""
        return self._idf.get(bigram)


class Reranker:
    """Reorders the top fused chunks of a query by the fitted model."""

    def __init__(self, weights: RerankWeights | None = None, depth: int = RERANK_DEPTH) -> None:
        self.weights = weights or RerankWeights()
        self.depth = depth

    @staticmethod
    def texts(view: KnowledgeView) -> ChunkTexts:
        """The generation's chunk texts, words and pair rarities, built once (a warmer builds them at reload)."""
        return view.derived("rerank_texts", ChunkTexts)

    def features(
        self, view: KnowledgeView, aq: AnalyzedQuery, legs: Legs, fused: dict[int, float]
    ) -> list[tuple[int, list[float]]]:
        """(chunk index, FEATURES) of the top `depth` fused chunks, best first."""
        top = sorted(fused.items(), key=lambda kv: -kv[1])[: self.depth]
        if not top:
            return []
        texts = self.texts(view)
        doc_index: DocBM25Index = view.derived("doc_bm25", DocBM25Index)
        chunks = view.chunks
        question = "".join(ch for ch in aq.normalized.lower() if ch.isalnum())
        asked = set(tokenize(aq.normalized))
        idf = {t: doc_index.idf(t) for t in asked}
        halve_compound_parts(idf)
        total = sum(idf.values()) or 1.0
        # pairs no chunk contains (江农 of 浙江农村) straddle two words: they say nothing and dilute the rest
        pair_idf = {b: idf_b for b in char_bigrams(question) if (idf_b := texts.bigram_idf(b)) is not None}
        pair_total = sum(pair_idf.values()) or 1.0

        def pair_share(text: str) -> float:
            return sum(w for b, w in pair_idf.items() if b in text) / pair_total

        expansions = set(tokenize(" ".join(aq.expansions))) - asked
        best_fused = top[0][1] or 1.0
        best_bm25 = max(legs.bm25.values(), default=0.0) or 1.0
        dense_values = [legs.dense[i] for i, _ in top if i in legs.dense]
        best_dense = max(legs.dense.values(), default=0.0)
        floor_dense = min(dense_values, default=best_dense) - best_dense
        top_doc = max(legs.docs.values(), default=0.0) or 1.0
        doc_words: dict[str, float] = {}
        rows = []
        for rank, (i, score) in enumerate(top):
            text, words = texts.text[i], texts.words[i]
            doc_id = chunks[i].doc_id
            if doc_id not in doc_words:
                doc_words[doc_id] = doc_index.coverage(list(asked), doc_id)
            title = chunks[i].meta.title.lower()
            share_pairs = pair_share(text)
            run = longest_run(question, text) / len(question) if question else 0.0
            focus = max((pair_share(sentence) for sentence in texts.sentences[i]), default=0.0)
            rows.append(
                (
                    i,
                    doc_id,
                    [
                        score / best_fused,
                        1.0 / (1 + rank),
                        legs.bm25.get(i, 0.0) / best_bm25,
                        (legs.dense[i] - best_dense) if i in legs.dense else floor_dense,
                        legs.docs.get(doc_id, 0.0) / top_doc,
                        sum(w for t, w in idf.items() if t in words) / total,
                        doc_words[doc_id],
                        share_pairs,
                        pair_share(title),
                        run,
                        share_pairs * legs.coverage,
                        run * legs.coverage,
                        (len(expansions & words) / len(expansions)) if expansions else 0.0,
                        focus,
                    ],
                )
            )
        best_of: dict[str, float] = {}
        count: Counter[str] = Counter()
        bigrams = FEATURES.index("bigrams")
        for _, doc_id, f in rows:
            best_of[doc_id] = max(best_of.get(doc_id, 0.0), f[bigrams])
            count[doc_id] += 1
        asks = [k for k in intent.classify(aq.asked) if k in _FACT_KINDS]
        return [
            (i, [*f, best_of[d], count[d] / len(rows), _states(asks, chunks[i].text)]) for i, d, f in rows
        ]

    def rerank(
        self, view: KnowledgeView, aq: AnalyzedQuery, legs: Legs, fused: dict[int, float]
    ) -> dict[int, float]:
        """`fused` with its top `depth` chunks rescored (exp((model score − best) / TEMPERATURE): the best is 1);
        the rest stay in their fused order below the lowest of them."""
        if legs.coverage < MIN_COVERAGE:
            return fused
        scored = [(i, self.weights.score(f)) for i, f in self.features(view, aq, legs, fused)]
        if not scored:
            return fused
        best = max(s for _, s in scored)
        out = {i: math.exp((s - best) / TEMPERATURE) for i, s in scored}
        floor = min(out.values())
        rest = {i: s for i, s in fused.items() if i not in out}
        top_rest = max(rest.values(), default=0.0) or 1.0
        for i, s in rest.items():
            out[i] = floor * 0.99 * max(s, 0.0) / top_rest
        return out
