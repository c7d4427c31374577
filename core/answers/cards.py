"""Measure cards in answers: which catalog measure a question is about, and the card lines that answer it.

A card line (谁能办, 补多少, 怎么办, 带什么, 找谁) is shown only when the question is about that measure (`match_measures`),
and a line with a number only when clauses of the measure's basis documents (one, or up to MAX_SUPPORT between
them) state every number of it, each of them then cited (`card_lines`). The catalog is read through the protocols
of core/answers/measures.py.

Example::

    measures = match_measures(catalog, aq, hits)
    lines = card_lines(view, measures[0], cites, classify(aq.asked)) if measures else []
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.answers import intent, texts
from core.answers.measures import MeasureCard
from core.answers.retrieval import AnalyzedQuery, RetrievedChunk
from core.answers.validity import CitationList
from core.knowledge.live import KnowledgeView
from core.knowledge.models import ChunkRecord
from core.text import tokenize

# The main answer: the passages core/answers/leads.py picks, then at most MAX_CARD_LINES of the measure card.
MAX_CARD_LINES = 2
MAX_SUPPORT = 3  # clauses a card line's numbers may be gathered from, each cited

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def match_measures(
    catalog: Iterable[MeasureCard],
    aq: AnalyzedQuery,
    hits: Sequence[RetrievedChunk],
    previous: Sequence[str] = (),
) -> list[MeasureCard]:
    """Catalog measures the question is about: it names the measure and the measure's documents were found.

    A stray shared word is not enough: one of the measure's basis documents must be among the top passages,
    and most of its name (or one of its keywords) must be in the question or its glossary expansion — or a
    word of its name, when the retrieved passages are the measure's own clauses. In a follow-up the measures its
    conversation was about (`previous`) count as named.
    """
    catalog = list(catalog)
    if not catalog:
        return []
    text = aq.expanded.lower()
    query_tokens = set(tokenize(aq.expanded))
    top_docs = [h.chunk.doc_id for h in hits[:3]]
    scored: list[tuple[float, MeasureCard]] = []
    for m in catalog:
        basis_docs = {ref.doc_id for ref in m.basis}
        if not basis_docs & set(top_docs):
            continue
        name_tokens = set(tokenize(m.name))
        named = len(query_tokens & name_tokens) / len(name_tokens) if name_tokens else 0.0
        keyword = any(len(k) >= 2 and k.lower() in text for k in m.keywords)
        # the measure whose own clauses were retrieved is the one the passages speak about
        clauses = sum(
            1.0 / (1 + r)
            for r, h in enumerate(hits[:3])
            if any(
                ref.doc_id == h.chunk.doc_id and ref.quote and _overlaps(h.chunk, ref.quote)
                for ref in m.basis
            )
        )
        # a follow-up goes on about the measure its conversation was about (认定要多久 → 打哪个电话)
        carried = m.id in previous
        if named < 0.5 and not keyword and not (clauses and named > 0) and not carried:
            continue
        rank = min(top_docs.index(d) for d in basis_docs if d in top_docs)
        scored.append((named + 0.5 * keyword + 1.0 / (1 + rank) + clauses + carried, m))
    scored.sort(key=lambda p: -p[0])
    return [m for _, m in scored[:1]]


def card_lines(
    view: KnowledgeView, m: MeasureCard, cites: CitationList, asks: Sequence[str], said: str = ""
) -> list[str]:
    """The card lines that answer what was asked (or who and how much), each supported by a cited clause.

    A line whose every number the passages above (`said`) already state says nothing new and is left out.
    """
    basis_chunks = [c for ref in m.basis for c in _chunks_with(view, ref.doc_id, ref.quote)]
    office = " ".join(p for p in (m.department, m.contact) if p)
    by_kind = {
        intent.WHO: texts.MEASURE_WHO.format(who=texts.LIST_SEP.join(m.target_groups))
        if m.target_groups
        else "",
        intent.AMOUNT: texts.MEASURE_AMOUNT.format(amount=m.amount) if m.amount else "",
        intent.HOW: texts.MEASURE_HOW.format(how="→".join(m.how_to_apply)) if m.how_to_apply else "",
        intent.MATERIALS: (
            texts.MEASURE_MATERIALS.format(materials=texts.LIST_SEP.join(m.materials)) if m.materials else ""
        ),
        intent.CONTACT: texts.MEASURE_OFFICE.format(office=office) if office else "",
    }
    # what was asked first, then who and how much as the usual details, at most MAX_CARD_LINES of them
    wanted = list(dict.fromkeys([*(k for k in asks if k in by_kind), intent.WHO, intent.AMOUNT]))
    lines = [texts.MEASURE_HEAD.format(name=m.name)]
    for kind in wanted:
        line = by_kind[kind]
        if not line or len(lines) > MAX_CARD_LINES:
            continue
        numbers = _NUMBER.findall(line)
        if numbers and all(_has_number(said, n) for n in numbers):
            continue
        if not numbers:
            n = cites.add(basis_chunks[0], 1.0) if basis_chunks else None
            lines.append(f"{line}[{n}]" if n else line)
            continue
        support = _supporting_chunks(view, m, numbers, basis_chunks)
        if not support:
            continue  # a number we cannot show in a cited clause is not said
        lines.append(line + "".join(f"[{cites.add(c, 1.0)}]" for c in support))
    return lines if len(lines) > 1 else []


def _overlaps(chunk: ChunkRecord, quote: str) -> bool:
    return quote in chunk.text or chunk.text in quote or quote[:30] in chunk.text


def _chunks_with(view: KnowledgeView, doc_id: str | None, quote: str | None) -> list[ChunkRecord]:
    if not doc_id:
        return []
    own = view.chunks_of(doc_id)
    if quote:
        hit = [c for c in own if _overlaps(c, quote)]
        if hit:
            return hit
    return own[:1]


def _supporting_chunks(
    view: KnowledgeView, measure: MeasureCard, numbers: list[str], preferred: list[ChunkRecord]
) -> list[ChunkRecord]:
    """Chunks of the measure's basis documents that between them contain every number of a line: the first that
    holds them all, else the fewest (up to MAX_SUPPORT) taken greedily, the basis clauses first (a standard in one
    article, its top-ups and phase-out in the next ones); empty when they cannot."""
    docs = [ref.doc_id for ref in measure.basis]
    seen = {c.chunk_id for c in preferred}
    candidates = preferred + [c for d in docs if d for c in view.chunks_of(d) if c.chunk_id not in seen]
    wanted = set(numbers)
    has = [wanted.intersection(_NUMBER.findall(c.text)) for c in candidates]
    missing, chosen = set(wanted), list[ChunkRecord]()
    while missing and len(chosen) < MAX_SUPPORT:
        best = max(range(len(candidates)), key=lambda i: len(has[i] & missing), default=None)
        if best is None or not has[best] & missing:
            return []
        chosen.append(candidates[best])
        missing -= has[best]
    return [] if missing else chosen


def _has_number(text: str, number: str) -> bool:
    return any(m == number for m in _NUMBER.findall(text))
