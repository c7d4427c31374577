"""Fit the passage weights of core/answers/passages.py (`PassageWeights`) on DEV questions with answer keys.

python -m benchmarks.fit_passages [--realdocs DIR] [--ncp DIR] [--folds 5]

For every DEV question with an answer key, `AnswerService.lead_candidates` gives the passages the lead of its
answer is chosen from, each with its features; a passage is a positive when the lead made of it (the passage and
the sentences that continue it, `continued`) contains the key. Questions none of whose passages holds the key
teach nothing here (retrieval missed) and are left out. The model is a conditional logit: a softmax over each
question's passages, maximising the probability of its positives, L2-regularised toward the hand-set REFERENCE.

DEV sets: tests/eval/dev_questions.yaml over policies/, the dev split of benchmarks/sets/realdocs.yaml over the
realdocs texts (`--realdocs`), and NCPPolicies questions of origin wjunneng_local_train (`--ncp`). Each corpus
counts with the square root of its size, so 600 formal NCP questions do not drown 40 villagers' ones. The share of
questions whose chosen lead holds the key is printed per corpus for the current weights and, cross-validated by
question, for the fitted ones; the printed `PassageWeights(...)` is what passages.py freezes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import astuple

import numpy as np

from benchmarks.dev_sets import add_arguments, cached, dev_corpora, quiet_logging
from benchmarks.logit import corpus_shares, fit_logit
from core.answers.leads import CONTINUE_CHARS
from core.answers.passages import FEATURES, FIXED, PassageWeights, continued
from core.services import Services
from tests.eval.answer_metrics import key_in

L2 = 0.02  # chosen by the out-of-fold figures this script prints (0.01–0.1 tried)
# The hand-set weights the fit is pulled toward (what the features meant before any fitting): the asked words,
# half for a heading's, the asked kind of fact, the retriever's rank; fragments and commencement clauses count
# against. Features not named here are pulled toward 0.
REFERENCE = {
    "words": 1.0,
    "context": 0.5,
    "intent": 1.0,
    "fragment": -0.25,
    "validity": -0.5,
    "rank": 0.5,
    "lapsed": -0.5,
}
POWER = 0.5
STEPS = 3000


class Group:
    """One question's candidate passages: features `x` (n × FEATURES) and which hold the key `y`."""

    def __init__(self, corpus: str, question: str, x: np.ndarray, y: np.ndarray) -> None:
        self.corpus, self.question, self.x, self.y = corpus, question, x, y


def groups_of(corpus: str, services: Services, items: Sequence[tuple[str, Sequence[str]]]) -> list[Group]:
    view = services.knowledge.current()
    out = []
    for question, keys in items:
        cands = services.answers.lead_candidates(view, question)
        if not cands:
            continue
        x = np.array([c.features for c in cands], dtype=float)
        y = np.array(
            [key_in(keys, continued(c.chunk.text, c.index, CONTINUE_CHARS)[0]) for c in cands], dtype=float
        )
        out.append(Group(corpus, question, x, y))
    return out


def picks(groups: Sequence[Group], w: np.ndarray) -> np.ndarray:
    """1 where the best-scoring passage of a group holds the key (ties go to the earlier passage)."""
    return np.array([g.y[int(np.argmax(g.x @ w))] for g in groups])


def fit(groups: Sequence[Group], weights: np.ndarray, prior: np.ndarray, l2: float = L2) -> np.ndarray:
    """Conditional-logit weights (benchmarks/logit.py), L2-regularised toward REFERENCE. `prior` is where the
    descent starts and where the FIXED weights stay."""
    fixed = [FEATURES.index(name) for name in FIXED]  # never leads, whatever the data say
    reference = np.array([REFERENCE.get(name, 0.0) for name in FEATURES])
    return fit_logit(
        [g.x for g in groups], [g.y for g in groups], weights, prior, reference, l2, fixed, steps=STEPS
    )


def corpus_weights(groups: Sequence[Group]) -> np.ndarray:
    return corpus_shares([g.corpus for g in groups], POWER)


def report(groups: Sequence[Group], label: str, chosen: np.ndarray) -> None:
    corpora = sorted({g.corpus for g in groups})
    parts = [
        f"{c} {chosen[[g.corpus == c for g in groups]].mean():.3f} ({int(chosen[[g.corpus == c for g in groups]].sum())})"
        for c in corpora
        if any(g.corpus == c for g in groups)
    ]
    print(f"  {label:<28} " + "  ".join(parts))


def main(argv: Sequence[str] | None = None) -> int:
    parser = add_arguments(argparse.ArgumentParser(prog="python -m benchmarks.fit_passages"))
    args = parser.parse_args(argv)
    quiet_logging()
    report_and_fit(cached(args.cache, lambda: collect(args)), args.folds)
    return 0


def collect(args: argparse.Namespace) -> list[Group]:
    """Every DEV question's candidate passages, on the corpora asked for."""
    return [
        g
        for corpus, services, questions in dev_corpora(args)
        for g in groups_of(corpus, services, [(q.question, q.keys) for q in questions])
    ]


def report_and_fit(groups: list[Group], folds: int) -> None:
    usable = [g for g in groups if g.y.any()]
    print(f"{len(groups)} DEV questions answered, {len(usable)} with the key in a candidate passage")
    prior = np.array(astuple(PassageWeights()), dtype=float)
    print("lead holds the key, among questions where some candidate does:")
    report(usable, "current weights", picks(usable, prior))

    order = np.random.default_rng(0).permutation(len(usable))
    chosen = np.zeros(len(usable))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        tr = [usable[i] for i in train]
        w = fit(tr, corpus_weights(tr), prior)
        chosen[test] = picks([usable[i] for i in test], w)
    report(usable, f"fitted ({folds}-fold, out of fold)", chosen)

    w = fit(usable, corpus_weights(usable), prior)
    report(usable, "fitted (all, in sample)", picks(usable, w))
    print("PassageWeights(" + ", ".join(f"{n}={v:.3f}" for n, v in zip(FEATURES, w, strict=True)) + ")")


if __name__ == "__main__":
    raise SystemExit(main())
