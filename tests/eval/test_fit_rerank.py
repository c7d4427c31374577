"""benchmarks/fit_rerank.py: the conditional logit learns which features mark the chunk that holds the key."""

from __future__ import annotations

import numpy as np

from benchmarks.fit_rerank import Group, fit, scores
from core.answers.rerank import FEATURES


def _groups(n: int, seed: int = 0) -> list[Group]:
    """Questions with eight candidates, best fused first; the key is in a chunk with a high `focus`, anywhere."""
    rng = np.random.default_rng(seed)
    out = []
    for q in range(n):
        x = rng.random(size=(8, len(FEATURES))) * 0.2
        x[:, FEATURES.index("fused")] = np.linspace(1.0, 0.8, 8)
        key = np.zeros(8)
        key[q % 8] = 1.0
        x[q % 8, FEATURES.index("focus")] += 1.0
        gold = key.copy()
        out.append(Group("ncp" if q % 2 else "realdocs", f"q{q}", x, key, gold))
    return out


def test_the_fit_learns_the_feature_that_marks_the_key() -> None:
    w = fit(_groups(80))
    assert w[FEATURES.index("focus")] > 1.0
    held = _groups(40, seed=1)
    fused_only = np.zeros(len(FEATURES))
    fused_only[FEATURES.index("fused")] = 1.0
    assert scores(held, fused_only)[:, 1].mean() < 0.2  # the fused order finds the key by chance
    assert scores(held, w)[:, 1].mean() > 0.9


def test_a_question_without_a_key_chunk_wants_its_gold_documents() -> None:
    g = Group("ncp", "q", np.zeros((3, len(FEATURES))), np.zeros(3), np.array([0.0, 1.0, 1.0]))
    assert list(g.wanted) == [0.0, 1.0, 1.0]
    g = Group("ncp", "q", np.zeros((3, len(FEATURES))), np.array([1.0, 0.0, 1.0]), np.array([0.0, 0.0, 1.0]))
    assert list(g.wanted) == [1.0, 0.0, 2.0]  # a key in a gold document's chunk is wanted most
