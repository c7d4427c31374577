"""The conditional logit both fitters use (benchmarks/fit_passages.py, benchmarks/fit_rerank.py).

Each group is one question's candidates: features `x` (n × F) and how much each is wanted `y` (0 for a negative;
a group's positives share its probability mass in proportion to `y`). The model is a softmax over each group's
candidates, fitted by full-batch Adam on the weighted negative log-likelihood, L2-regularised toward `reference`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STEPS = 3000


def fit_logit(
    xs: Sequence[np.ndarray],
    ys: Sequence[np.ndarray],
    share: np.ndarray,
    prior: np.ndarray,
    reference: np.ndarray,
    l2: float,
    fixed: Sequence[int] = (),
    steps: int = STEPS,
) -> np.ndarray:
    """Weights maximising the `share`-weighted log-probability of each group's positives (groups padded into
    one array, so a step is a few array operations). `prior` is where the descent starts and where the `fixed`
    weights stay."""
    size = max(len(y) for y in ys)
    x = np.zeros((len(xs), size, len(prior)))
    y = np.zeros((len(xs), size))
    mask = np.full((len(xs), size), -np.inf)
    for k, (gx, gy) in enumerate(zip(xs, ys, strict=True)):
        x[k, : len(gy)], y[k, : len(gy)], mask[k, : len(gy)] = gx, gy, 0.0
    share = share / share.sum()
    w = prior.astype(float).copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        s = x @ w + mask
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        q = p * y
        q /= q.sum(1, keepdims=True)
        grad = l2 * (w - reference) + np.einsum("g,gnf,gn->f", share, x, p - q)
        grad[list(fixed)] = 0.0
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.01 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def corpus_shares(corpora: Sequence[str], power: float = 0.5) -> np.ndarray:
    """Each group's weight: 1 / (its corpus's size ** power), so 600 formal questions of one corpus do not drown
    40 villagers' of another."""
    sizes: dict[str, int] = {}
    for c in corpora:
        sizes[c] = sizes.get(c, 0) + 1
    return np.array([1.0 / sizes[c] ** power for c in corpora])
