"""A follow-up's hits, leaning on its conversation (how `conversation.resolve` read the turn says which apply).

* `prefer_documents` — the previous turn's documents are lifted (a follow-up stays on its document);
* `prefer_chunk` — for "那X呢", the chunk the previous answer's lead came from stands first;
* `add_own_candidates` — the passages a follow-up's own words find in the previous documents join the candidates.

Example::

    hits = prefer_documents(hits, turn.prefer_docs)
    if turn.prefer_chunk:
        hits = prefer_chunk(view, hits, turn.prefer_chunk)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core.answers.retrieval import RetrievedChunk
from core.knowledge.live import KnowledgeView

PREFER_PREVIOUS = 1.25  # score factor of the previous turn's documents in a follow-up
# Share of its score a passage found by a follow-up's own words in the previous documents adds (chosen on the
# DEV follow-ups among 0, 0.25, 0.5 and 1: larger lets the asked words pull in another part of a long notice).
OWN_CANDIDATES_WEIGHT = 0.25


def prefer_documents(hits: list[RetrievedChunk], doc_ids: Sequence[str]) -> list[RetrievedChunk]:
    """`hits` re-ranked with the previous turn's documents lifted (a follow-up stays on its document)."""
    if not doc_ids:
        return hits
    wanted = set(doc_ids)
    for h in hits:
        if h.chunk.doc_id in wanted:
            h.score *= PREFER_PREVIOUS
    return sorted(hits, key=lambda h: -h.score)


def prefer_chunk(view: KnowledgeView, hits: list[RetrievedChunk], chunk_id: str) -> list[RetrievedChunk]:
    """`hits` with the chunk `chunk_id` (the previous answer's lead) first, at the best hit's score; added when
    retrieval missed it, left out when it is no longer in the knowledge base."""
    index = view.chunk_index.get(chunk_id)
    if index is None or not hits:
        return hits
    top = hits[0].score
    lifted = next((replace(h, score=max(h.score, top)) for h in hits if h.chunk.chunk_id == chunk_id), None)
    lifted = lifted or RetrievedChunk(view.chunks[index], top)
    return [lifted, *(h for h in hits if h.chunk.chunk_id != chunk_id)]


def add_own_candidates(hits: list[RetrievedChunk], own: list[RetrievedChunk]) -> list[RetrievedChunk]:
    """A follow-up's hits with the passages its own words find in the previous documents added.

    The conversation's topic words find the document but not always the sentence: after 养牛有奖补不 and 那养羊呢,
    啥时候报 retrieved with 养牛 养羊 finds every clause on livestock, while 啥时候报 alone, among the award notice's
    clauses, finds 申报时间为每年3月1日至10月31日. Those passages count OWN_CANDIDATES_WEIGHT of their score, so
    they join the candidates the lead is chosen from and break ties, but do not outrank the topic's passages.
    """
    by_id: dict[str, RetrievedChunk] = {h.chunk.chunk_id: replace(h) for h in hits}
    for h in own:
        if h.chunk.chunk_id in by_id:
            by_id[h.chunk.chunk_id].score += OWN_CANDIDATES_WEIGHT * h.score
        else:
            by_id[h.chunk.chunk_id] = replace(h, score=OWN_CANDIDATES_WEIGHT * h.score)
    return sorted(by_id.values(), key=lambda h: -h.score)
