"""Answers prefer the law in force: what becomes of passages of expired and superseded documents.

A repealed or expired document stays in the knowledge base and is still retrieved (people ask about old rules),
but an answer does not state its rules as today's. Ranked hits of a document that is no longer in force count
less (`OUT_OF_FORCE`); when the document was superseded by one that is in the corpus, the successor's passage
closest to the old one (and to the question) stands in for it: with the old passage's own score when it is the
same clause revised (it still uses a good share of the old one's words), else at the old passage's lowered place
among the hits in force. The old passages drop behind every other hit. The answer then quotes the successor and, through `validity_notes`, says that the old
document it stands in for was replaced ("注意：[2]《…》已被新文件[1]《…》代替").

Example::

    hits = prefer_in_force(retriever.search(view, aq, k=8), today=date.today())
    hits = stand_in_successors(retriever, view, aq, hits, today=date.today())  # once answerable
    notes = validity_notes(view, cites, today=date.today())
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from core.answers import intent, texts
from core.answers.retrieval import AnalyzedQuery, DocBM25Index, RetrievedChunk, Retriever
from core.knowledge.live import KnowledgeView
from core.knowledge.models import ChunkRecord, Citation, DocumentMeta
from core.text import tokenize

OUT_OF_FORCE = 0.85  # score factor of a hit whose document is not in force today
STAND_INS = 3  # at most this many passages of a successor stand in for its predecessor's
REVISED_CLAUSE = 0.3  # share of the old passage's (IDF-weighted) words a revised version of it still uses
_MAX_CHAIN = 5  # a successor that was itself superseded: follow the chain this far


class CitationList(Protocol):
    """The answer's numbered citations (compose's `_Citations`)."""

    items: list[Citation]

    def add(self, chunk: ChunkRecord, score: float) -> int: ...


def successor_in_force(view: KnowledgeView, meta: DocumentMeta, today: date) -> DocumentMeta | None:
    """The corpus document that replaces `meta` today (following a chain of successors), if any."""
    current = meta
    for _ in range(_MAX_CHAIN):
        if not current.superseded_by:
            return None
        nxt = view.meta(current.superseded_by)
        if nxt is None or nxt.doc_id == meta.doc_id:
            return None
        if nxt.in_force(today):
            return nxt
        current = nxt
    return None


def prefer_in_force(hits: list[RetrievedChunk], *, today: date) -> list[RetrievedChunk]:
    """`hits` re-ranked with those of documents not in force today counting less."""
    for h in hits:
        if not h.chunk.meta.in_force(today):
            h.score *= OUT_OF_FORCE
    return sorted(hits, key=lambda h: -h.score)


def stand_in_successors(
    retriever: Retriever,
    view: KnowledgeView,
    aq: AnalyzedQuery,
    hits: list[RetrievedChunk],
    *,
    today: date,
) -> list[RetrievedChunk]:
    """Ranked `hits` (after `prefer_in_force`) with a superseded document's passages given way to its successor's
    (see the module doc); a stand-in carries the chunk it replaces. Run once the question is known to be
    answerable: a stand-in is chosen for the old passage, so its scores say nothing about the question."""
    replaced: dict[str, list[RetrievedChunk]] = {}  # successor doc id → its predecessor's hits, best first
    for h in hits:
        if h.chunk.meta.in_force(today):
            continue
        successor = successor_in_force(view, h.chunk.meta, today)
        if successor is not None:
            replaced.setdefault(successor.doc_id, []).append(h)
    if not replaced:
        return hits
    hits = list(hits)
    by_chunk = {h.chunk.chunk_id: h for h in hits}
    asks_validity = intent.VALIDITY in intent.classify(aq.normalized)
    for successor_id, olds in replaced.items():
        # The successor's clause on the same matter: the question and the old passage that answered it; asked
        # whether the old rule still holds, the clause that names the old document (its repeal).
        about = olds[0].chunk.meta.title if asks_validity else olds[0].chunk.text
        found = retriever.search(
            view,
            f"{aq.expanded}\n{about}",
            k=min(len(olds), STAND_INS),
            mode="bm25",  # the words of the old clause find its revision; no second model call
            doc_ids={successor_id},
        )
        for old, new in zip(olds, found, strict=False):
            # The same clause revised keeps the old one's standing; a passage merely nearest to it takes the old
            # passage's place among the hits in force, never above them.
            revised = _shared(view, old.chunk.text, new.chunk.text) >= REVISED_CLAUSE
            score = old.score / OUT_OF_FORCE if revised else old.score
            hit = by_chunk.get(new.chunk.chunk_id)
            if hit is None:
                hit = RetrievedChunk(new.chunk, score, replaces=old.chunk)
                by_chunk[new.chunk.chunk_id] = hit
                hits.append(hit)
            elif hit.score < score:
                hit.score, hit.replaces = score, old.chunk
    demoted = {h.chunk.chunk_id for olds in replaced.values() for h in olds}
    return sorted(hits, key=lambda h: (h.chunk.chunk_id in demoted, -h.score))


def _shared(view: KnowledgeView, old: str, new: str) -> float:
    """The IDF-weighted share of the old passage's words that the new one uses."""
    idf = view.derived("doc_bm25", DocBM25Index).idf
    weights = {t: idf(t) for t in set(tokenize(old))}
    used = set(tokenize(new))
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in used) / total if total else 0.0


def validity_notes(view: KnowledgeView, cites: CitationList, *, today: date) -> list[str]:
    """A note for each cited document not in force today: replaced (citing its successor), expired, not yet."""
    notes = []
    for c in list(cites.items):
        meta = view.meta(c.doc_id)
        if meta is None or meta.in_force(today):
            continue
        successor = view.meta(meta.superseded_by) if meta.superseded_by else None
        if successor is not None:
            # Cite the successor too (unless it already is), so its title in the note is a cited one.
            m = next((o.n for o in cites.items if o.doc_id == successor.doc_id), None)
            if m is None:
                new_chunks = view.chunks_of(successor.doc_id)
                m = cites.add(new_chunks[0], 0.0) if new_chunks else None
            notes.append(
                texts.SUPERSEDED_NOTE.format(n=c.n, title=meta.title, m=m, new_title=successor.title)
            )
        elif meta.effective_to and today > meta.effective_to:
            notes.append(texts.EXPIRED_NOTE.format(n=c.n, title=meta.title))
        elif meta.effective_from and today < meta.effective_from:
            notes.append(texts.NOT_YET_NOTE.format(n=c.n, title=meta.title))
    return notes


def cite_replaced(hits: list[RetrievedChunk], quoted: list[ChunkRecord], cites: CitationList) -> None:
    """Cite the old passage each quoted stand-in replaces, so the answer says the old document was replaced."""
    replaces = {h.chunk.chunk_id: h.replaces for h in hits if h.replaces is not None}
    cited = {c.doc_id for c in cites.items}
    for chunk in quoted:
        old = replaces.get(chunk.chunk_id)
        if old is not None and old.doc_id not in cited:  # one note per replaced document
            cites.add(old, 0.0)
            cited.add(old.doc_id)
