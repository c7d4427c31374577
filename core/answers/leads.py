"""Which verbatim passages of the top chunks an answer shows: the lead that states what was asked, then close
runners-up within a cheap phone's screen.

Every passage of the top `PASSAGE_HITS` chunks is a candidate, scored linearly on its features
(core/answers/passages.py FEATURES) with `PassageWeights`, fitted on the DEV splits of three corpora with
`python -m benchmarks.fit_passages`. The best leads the answer and goes on with the sentences right after it
(`continued`: real texts often answer in the sentence after the one that echoes the question); runners-up
scoring at least RUNNER_UP_SHARE of it follow while the answer stays within ANSWER_BUDGET characters. A lead that
runs to its chunk's end reads on into the next chunk of the same section, cited as that chunk (`_spill_over`).

Example::

    picker = LeadPicker(PassageWeights(), today=date.today)
    for chunk, text, score in picker.pick(view, aq, hits, classify(aq.asked)):
        print(text, chunk.doc_id)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from core.answers import intent
from core.answers.passages import PassageScorer, PassageWeights, continued, passages_of
from core.answers.retrieval import AnalyzedQuery, DocBM25Index, RetrievedChunk
from core.knowledge.live import KnowledgeView
from core.knowledge.models import ChunkRecord
from core.text import tokenize

ANSWER_BUDGET = 220
PASSAGE_HITS = 5  # passages are taken from this many top chunks
MAX_SENTENCES = 3
RUNNER_UP_SHARE = 0.5
CONTINUE_CHARS = 160  # the lead goes on with the sentences right after it, up to this length


@dataclass(frozen=True)
class Candidate:
    """A passage a lead may be chosen from: passage `index` of `chunk`, the `rank` of its hit, its features."""

    chunk: ChunkRecord
    index: int
    rank: int
    score: float  # the retriever's fused score of the chunk
    lapsed: bool
    features: list[float]


class LeadPicker:
    """Scores the passages of the top chunks and picks the ones an answer shows."""

    def __init__(self, weights: PassageWeights, today: Callable[[], date] = date.today) -> None:
        self.weights = weights
        self.today = today

    def candidates(
        self, view: KnowledgeView, aq: AnalyzedQuery, hits: Sequence[RetrievedChunk], asks: Sequence[str]
    ) -> list[Candidate]:
        """Every passage of `hits` with its features, in chunk order.

        A rule no longer in force counts against its passages unless whether it still applies was asked.
        """
        if not hits:
            return []
        doc_index = view.derived("doc_bm25", DocBM25Index)
        # A follow-up's carried topic counts as much as the words asked in this turn: 找谁办 after a question on
        # 高龄补贴 wants the 高龄津贴 article's office, not the disability article's beside it. The phrase and
        # character-pair features read only what this turn asked.
        scorer = PassageScorer(
            tokenize(aq.normalized),
            doc_index.idf,
            asks,
            tokenize(" ".join(aq.expansions)),
            question=aq.asked,
            weights=self.weights,
        )
        top_score = hits[0].score or 1.0
        today = self.today()
        lapsed_docs = (
            set()
            if intent.VALIDITY in asks
            else {h.chunk.doc_id for h in hits if not h.chunk.meta.in_force(today)}
        )
        out: list[Candidate] = []
        for rank, h in enumerate(hits):
            chunk, score = h.chunk, h.score
            lapsed = chunk.doc_id in lapsed_docs
            ps = passages_of(chunk.text)
            for i, p in enumerate(ps):
                lead = continued(chunk.text, i, CONTINUE_CHARS)[0] if CONTINUE_CHARS else p.text
                features = scorer.features(
                    p, chunk.meta.title, ps[i - 1] if i else None, chunk.start, lead=lead
                )
                features += [max(score, 0.0) / top_score, float(lapsed)]
                out.append(Candidate(chunk, i, rank, score, lapsed, features))
        return out

    def pick(
        self, view: KnowledgeView, aq: AnalyzedQuery, hits: Sequence[RetrievedChunk], asks: Sequence[str]
    ) -> list[tuple[ChunkRecord, str, float]]:
        """(chunk, verbatim text, retriever score) of the lead and its runners-up; empty when none scores above
        zero. An old rule never stands beside today's (its note says it was replaced)."""
        scored = [(self.weights.score(c.features), c) for c in self.candidates(view, aq, hits, asks)]
        # A rule no longer in force leads only when no rule in force says anything (validity questions aside).
        scored.sort(key=lambda sc: (sc[0] <= 0, sc[1].lapsed, -sc[0], sc[1].rank))
        if not scored or scored[0][0] <= 0:
            return []
        best = scored[0][0]
        out: list[tuple[ChunkRecord, str, float]] = []
        order: list[int] = []
        used = 0
        seen: set[tuple[str, int]] = set()
        lead_spill: tuple[ChunkRecord, str, float] | None = None
        for value, c in scored:
            if len(out) >= MAX_SENTENCES:
                break
            chunk, i = c.chunk, c.index
            text = passages_of(chunk.text)[i].text
            if out and (value < best * RUNNER_UP_SHARE or used + len(text) > ANSWER_BUDGET):
                continue
            if (chunk.chunk_id, i) in seen or any(text == t for _, t, _ in out):
                continue
            if out and (c.lapsed or text.rstrip().endswith(("：", ":"))):
                continue  # an old rule beside today's; a lead-in without its items
            seen.add((chunk.chunk_id, i))
            spill: tuple[ChunkRecord, str, float] | None = None
            if not out and CONTINUE_CHARS:
                text, taken = continued(chunk.text, i, CONTINUE_CHARS)
                seen.update((chunk.chunk_id, j) for j in taken)
                spill, spilled = _spill_over(view, chunk, taken[-1], CONTINUE_CHARS - len(text), c.score)
                if spill is not None:
                    seen.update((spill[0].chunk_id, j) for j in spilled)
            out.append((chunk, text, c.score))
            order.append(i)
            used += len(text)
            if spill is not None:
                lead_spill = spill
                used += len(spill[1])
        ordered = _in_reading_order(out, order)
        if lead_spill is not None:
            ordered.insert(1, lead_spill)  # the lead's own text, read on across its chunk's end
        return ordered


def _in_reading_order(
    picked: list[tuple[ChunkRecord, str, float]], index: list[int]
) -> list[tuple[ChunkRecord, str, float]]:
    """The lead first; the runners-up that come after it in the lead's own chunk right after it, in the text's
    order (a rule and its next sentence read as one); the others after them, as scored."""
    lead_chunk, lead_index = picked[0][0].chunk_id, index[0]
    following = sorted(
        (k for k in range(1, len(picked)) if picked[k][0].chunk_id == lead_chunk and index[k] > lead_index),
        key=lambda k: index[k],
    )
    rest = [k for k in range(1, len(picked)) if k not in following]
    return [picked[0], *(picked[k] for k in following), *(picked[k] for k in rest)]


def _spill_over(
    view: KnowledgeView, chunk: ChunkRecord, last: int, room: int, score: float
) -> tuple[tuple[ChunkRecord, str, float] | None, list[int]]:
    """When the lead ran to the end of its chunk with room left, the opening sentences of the next chunk of the
    same section (a provision the chunker cut in two), cited as that chunk, and the passages they are; else
    (None, [])."""
    nothing: tuple[None, list[int]] = (None, [])
    if room <= 0 or last < len(passages_of(chunk.text)) - 1:
        return nothing
    index = view.chunk_index.get(chunk.chunk_id)
    siblings = view.doc_chunks.get(chunk.doc_id, [])
    if index is None or index not in siblings or siblings.index(index) + 1 >= len(siblings):
        return nothing
    nxt = view.chunks[siblings[siblings.index(index) + 1]]
    opening = passages_of(nxt.text)
    if nxt.section != chunk.section or not opening or len(opening[0].text) > room:
        return nothing
    text, taken = continued(nxt.text, 0, room)
    return (nxt, text, score), taken
