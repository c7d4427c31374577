"""The question back to a follow-up asked without context: which of the two or three likeliest measures?

`clarify_choices` reads the hits of the topic-less question (要带什么材料) and offers one choice per document: the
measure whose clause the passage is (else the document's first measure), or without a catalog the document
itself. Each choice carries the question to ask instead, the measure's short name followed by the follow-up;
the bot shows them as buttons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.answers.measures import MeasureCard
from core.answers.retrieval import RetrievedChunk

MAX_CLARIFY = 3


def clarify_choices(
    hits: Sequence[RetrievedChunk], catalog: Iterable[MeasureCard], question: str
) -> list[dict[str, str | None]]:
    """The two or three measures (or, without a catalog, documents) a topic-less question most likely means.

    Each choice carries the question to ask instead: the measure's name followed by the follow-up.
    """
    by_doc: dict[str, list[MeasureCard]] = {}
    for m in catalog:
        for ref in m.basis:
            if ref.doc_id and m not in by_doc.get(ref.doc_id, []):
                by_doc.setdefault(ref.doc_id, []).append(m)
    choices: list[dict[str, str | None]] = []
    docs: set[str] = set()
    for h in hits:
        doc_id = h.chunk.doc_id
        if doc_id in docs:
            continue  # one choice per document: different measures, not two readings of one notice
        if by_doc:
            own = by_doc.get(doc_id, [])
            # The measure whose clause the passage is, else the document's first measure.
            measure = next((m for m in own if any(_quoted(h.chunk.text, r.quote) for r in m.basis)), None)
            measure = measure or (own[0] if own else None)
            if measure is None:
                continue
            docs.add(doc_id)
            name = _short_name(measure.name)
            choices.append(
                {"measure_id": measure.id, "doc_id": None, "name": name, "question": name + question}
            )
        else:
            docs.add(doc_id)
            name = _short_name(h.chunk.meta.title)
            choices.append({"measure_id": None, "doc_id": doc_id, "name": name, "question": name + question})
        if len(choices) >= MAX_CLARIFY:
            break
    return choices


def _quoted(text: str, quote: str) -> bool:
    return bool(quote) and (quote in text or text in quote or quote[:30] in text)


def _short_name(name: str) -> str:
    """A measure or document name without its parenthesised part (麻黄鸡苗补助（三统一、一补助） → 麻黄鸡苗补助)."""
    return re.sub(r"[（(][^）)]*[）)]", "", name).strip() or name
