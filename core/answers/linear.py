"""The shape both fitted scorers share (core/answers/passages.py `PassageWeights`, core/answers/rerank.py
`RerankWeights`): a frozen dataclass of named weights, one per feature in the order of its fields.

Example::

    @dataclass(frozen=True)
    class Weights(LinearWeights):
        words: float = 1.0
        rank: float = 0.5

    Weights().score([0.8, 1.0])   # 1.3
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple


class LinearWeights:
    """Mixed into a frozen dataclass whose fields are the weights, in the order of its features."""

    def vector(self) -> tuple[float, ...]:
        return astuple(self)  # type: ignore[call-overload]

    def score(self, features: Sequence[float]) -> float:
        """The weighted sum of `features` (one value per field, in field order)."""
        return sum(w * f for w, f in zip(self.vector(), features, strict=True))
