"""Fit the chunk reranker's weights (core/answers/rerank.py `RerankWeights`) on DEV questions.

python -m benchmarks.fit_rerank --realdocs DIR --ncp DIR [--cache F] [--folds 5]

For every DEV question, the retriever's fused candidates (`Retriever.legs`, `Retriever._fuse`) give the top
RERANK_DEPTH chunks with their `Reranker.features`. A chunk is a positive when it holds the question's answer key
(twice as wanted when it is also of a gold document); a question none of whose candidates holds the key counts its
gold documents' chunks as positives; one with neither teaches nothing and is left out. The model is a conditional
logit (benchmarks/logit.py) on features scaled to unit spread, L2-regularised toward the fused order (`fused`
alone), each corpus counting with the square root of its size. Every DEV question is fitted on, though questions
below rerank.MIN_COVERAGE keep the fused order when answering (the frozen weights were fitted this way).

DEV sets: tests/eval/dev_questions.yaml over policies/, the dev split of benchmarks/sets/realdocs.yaml
(`--realdocs`), and NCPPolicies questions of origin wjunneng_local_train (`--ncp`). Printed per corpus, for the
fused order and for the fitted weights out of fold: the top chunk is of a gold document (doc@1), holds the key
(key@1), a key among the top 5 (key@5); then the `RerankWeights(...)` that rerank.py freezes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.dev_sets import add_arguments, cached, dev_corpora, quiet_logging
from benchmarks.logit import corpus_shares, fit_logit
from core.answers.rerank import FEATURES, Reranker
from core.services import Services
from tests.eval.answer_metrics import key_in

L2 = 0.02  # on unit-spread features; chosen by the out-of-fold figures (0.001-0.1 tried)
REFERENCE_FUSED = 4.0  # the reference keeps the fused order


@dataclass
class Group:
    """One question's candidate chunks: features `x`, which hold the key, which are of a gold document."""

    corpus: str
    question: str
    x: np.ndarray
    key: np.ndarray
    gold: np.ndarray

    @property
    def wanted(self) -> np.ndarray:
        return self.key * (1.0 + self.gold) if self.key.any() else self.gold


def groups_of(
    corpus: str, services: Services, items: Sequence[tuple[str, Sequence[str], Sequence[str]]]
) -> list[Group]:
    """(question, keys, gold documents) → each question's candidates, best fused first."""
    view = services.knowledge.current()
    retriever = services.retriever
    reranker = Reranker()
    out = []
    for question, keys, docs in items:
        aq = retriever.analyze(view, question)
        legs = retriever.legs(view, aq, retriever.config.candidates)
        rows = reranker.features(view, aq, legs, retriever._fuse(legs, "hybrid", aq))
        if not rows:
            continue
        chunks = [view.chunks[i] for i, _ in rows]
        out.append(
            Group(
                corpus,
                question,
                np.array([f for _, f in rows], dtype=float),
                np.array([bool(keys) and key_in(keys, c.text) for c in chunks], dtype=float),
                np.array([c.doc_id in docs for c in chunks], dtype=float),
            )
        )
    return out


def collect(args: argparse.Namespace) -> list[Group]:
    """Every DEV question's candidates, on the corpora asked for."""
    return [
        g
        for corpus, services, questions in dev_corpora(args)
        for g in groups_of(corpus, services, [(q.question, q.keys, q.docs) for q in questions])
    ]


def fit(groups: Sequence[Group], l2: float = L2) -> np.ndarray:
    """RerankWeights' values fitted on `groups` (on unit-spread features, then scaled back)."""
    spread = np.concatenate([g.x for g in groups]).std(0) + 1e-9
    reference = np.zeros(len(FEATURES))
    reference[FEATURES.index("fused")] = REFERENCE_FUSED * spread[FEATURES.index("fused")]
    w = fit_logit(
        [g.x / spread for g in groups],
        [g.wanted for g in groups],
        corpus_shares([g.corpus for g in groups]),
        reference,
        reference,
        l2,
    )
    return w / spread


def scores(groups: Sequence[Group], w: np.ndarray) -> np.ndarray:
    """Per group: doc@1, key@1, key@5 of the order `w` gives."""
    out = []
    for g in groups:
        order = np.argsort(-(g.x @ w), kind="stable")
        out.append([g.gold[order[0]], g.key[order[0]], g.key[order[:5]].any()])
    return np.array(out)


def report(groups: Sequence[Group], folds: int, l2: float = L2) -> np.ndarray:
    usable = [g for g in groups if g.wanted.any()]
    print(f"{len(groups)} DEV questions, {len(usable)} with a key or gold chunk among the candidates")
    fused = np.zeros(len(FEATURES))
    fused[FEATURES.index("fused")] = 1.0
    order = np.random.default_rng(0).permutation(len(usable))
    oof = np.zeros((len(usable), 3))
    for k in range(folds):
        test = order[k::folds]
        w = fit([usable[i] for i in np.setdiff1d(order, test)], l2)
        oof[test] = scores([usable[i] for i in test], w)
    base = scores(usable, fused)
    print("                  doc@1  key@1  key@5")
    for corpus in sorted({g.corpus for g in usable}):
        mine = np.array([g.corpus == corpus for g in usable])
        b, f = base[mine].mean(0), oof[mine].mean(0)
        print(f"  {corpus:<9} fused  " + "  ".join(f"{v:.3f}" for v in b) + f"   (n={mine.sum()})")
        print(f"  {corpus:<9} fitted " + "  ".join(f"{v:.3f}" for v in f) + f"   ({folds}-fold, out of fold)")
    w = fit(usable, l2)
    print("RerankWeights(" + ", ".join(f"{n}={v:.3f}" for n, v in zip(FEATURES, w, strict=True)) + ")")
    return w


def main(argv: Sequence[str] | None = None) -> int:
    parser = add_arguments(argparse.ArgumentParser(prog="python -m benchmarks.fit_rerank"))
    parser.add_argument("--l2", type=float, default=L2)
    args = parser.parse_args(argv)
    quiet_logging()
    report(cached(args.cache, lambda: collect(args)), args.folds, args.l2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
