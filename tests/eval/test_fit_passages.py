"""benchmarks/fit_passages.py: the conditional logit learns which features mark the passage that holds the key."""

from __future__ import annotations

from dataclasses import astuple

import numpy as np

from benchmarks.fit_passages import Group, corpus_weights, fit, picks
from core.answers.passages import FEATURES, FIXED, PassageWeights


def _groups(n: int, seed: int = 0) -> list[Group]:
    """Questions with five passages each; the one holding the key has a high `bigrams`, the others random."""
    rng = np.random.default_rng(seed)
    out = []
    for q in range(n):
        x = rng.normal(size=(5, len(FEATURES))) * 0.1
        x[:, [FEATURES.index(f) for f in FIXED]] = 0.0  # never-lead flags are off
        y = np.zeros(5)
        y[q % 5] = 1.0
        x[q % 5, FEATURES.index("bigrams")] += 1.0
        out.append(Group("ncp" if q % 2 else "realdocs", f"q{q}", x, y))
    return out


def test_the_fit_learns_the_feature_that_marks_the_key_and_keeps_the_fixed_weights() -> None:
    groups = _groups(60)
    prior = np.array(astuple(PassageWeights()), dtype=float)
    prior[FEATURES.index("bigrams")] = 0.0
    w = fit(groups, corpus_weights(groups), prior)
    assert w[FEATURES.index("bigrams")] > 1.0
    assert all(w[FEATURES.index(f)] == prior[FEATURES.index(f)] for f in FIXED)
    assert picks(_groups(40, seed=1), w).mean() > 0.9


def test_each_corpus_counts_with_the_square_root_of_its_size() -> None:
    groups = [Group("a", "q", np.zeros((1, 1)), np.ones(1))] * 4 + [
        Group("b", "q", np.zeros((1, 1)), np.ones(1))
    ]
    weights = corpus_weights(groups)
    assert weights[:4].sum() / weights[4:].sum() == 2.0  # 4 questions count as sqrt(4) = 2 of b's one
