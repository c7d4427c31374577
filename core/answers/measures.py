"""What answers read of a support measure: a card's lines and the clauses it rests on.

Answers never import the eligibility area. They read measures through these protocols, which the catalog's
`Measure` (core.eligibility.catalog) satisfies structurally; the composition root injects the live catalog
(`AnswerService(..., catalog_of=...)`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from core.knowledge.live import KnowledgeView


class BasisQuote(Protocol):
    """A clause a measure rests on: the document and the verbatim quote."""

    @property
    def doc_id(self) -> str: ...
    @property
    def quote(self) -> str: ...


class MeasureCard(Protocol):
    """The plain-language facts of one measure that an answer's measure card shows and matches on."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def benefit(self) -> str: ...
    @property
    def amount(self) -> str | None: ...
    @property
    def target_groups(self) -> Sequence[str]: ...
    @property
    def how_to_apply(self) -> Sequence[str]: ...
    @property
    def materials(self) -> Sequence[str]: ...
    @property
    def department(self) -> str: ...
    @property
    def contact(self) -> str | None: ...
    @property
    def keywords(self) -> Sequence[str]: ...
    @property
    def basis(self) -> Sequence[BasisQuote]: ...


# The measures of a knowledge generation, in catalog order (empty for a corpus without a catalog).
CatalogOf = Callable[[KnowledgeView], Iterable[MeasureCard]]


def no_catalog(view: KnowledgeView) -> Iterable[MeasureCard]:
    """No measures: answers from the documents alone."""
    return ()
