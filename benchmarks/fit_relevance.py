"""Fit the relevance model of core/answers/relevance.py on the DEV set; evaluate a frozen model on any question file.

python -m benchmarks.fit_relevance [--data-dir data/eval] [--realdocs DIR] [--evaluate tests/eval/questions.yaml]

Fitting uses only DEV questions: tests/eval/dev_questions.yaml over policies/ and, with `--realdocs`, the dev split
of benchmarks/sets/realdocs.yaml over the real national texts (so the features are fitted to mean the same on a
corpus without the sample county's glossary). In-scope questions are positives, off-topic, not-covered and other
offices' matters negatives (hostile questions are refused by `is_hostile` before relevance is asked); the
cross-validated trade-off is printed for each corpus apart. The features are
standardised and an L2-regularised logistic regression (Newton's method, numpy only) is fitted. The threshold
is read from repeated 10-fold cross-validation: the out-of-fold logit at which `ANSWER_RATE` of the in-scope
DEV questions are answered, lowered while that answers no more out-of-scope DEV questions. The printed `RelevanceConfig(...)` (coefficients on raw feature values) is what
core/answers/relevance.py freezes. `--evaluate` runs `AnswerService.ask` with the frozen model over a question file
and prints abstention precision/recall and the share of in-scope questions answered; it fits nothing, so the
held-out questions.yaml can be reported without being tuned on.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from dataclasses import astuple, fields
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from core.answers.relevance import RelevanceConfig, RelevanceFeatures, is_hostile
from core.services import Services, build_services
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "eval" / "dev_questions.yaml"
ANSWER_RATE = 0.96  # share of in-scope DEV questions the threshold keeps answered (target on held-out: 0.95)
L2 = 1.0
FOLDS = 10
REPEATS = 20
HITS = 8  # AnswerService.ask retrieves max(8, 2 * top_k) passages with the default top_k=3


def features_of(services: Services, question: str) -> RelevanceFeatures:
    """The features `AnswerService.ask` computes for `question`."""
    view = services.knowledge.current()
    aq = services.retriever.analyze(view, question)
    hits = services.answers._prefer_in_force(services.retriever.search(view, aq, k=HITS))
    return services.answers.features(view, aq, hits)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> np.ndarray:
    """Weights (intercept first) of an L2-regularised logistic regression on standardised `x`."""
    z = np.c_[np.ones(len(x)), x]
    w = np.zeros(z.shape[1])
    penalty = np.diag(np.r_[0.0, np.full(x.shape[1], l2)])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


def to_raw(w: np.ndarray, mean: np.ndarray, std: np.ndarray) -> tuple[float, np.ndarray]:
    """Intercept and coefficients on raw feature values from weights on standardised ones."""
    coef = w[1:] / std
    return float(w[0] - (coef * mean).sum()), coef


def out_of_fold_logits(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean out-of-fold logit of each question over repeated stratified K-fold cross-validation."""
    total = np.zeros(len(y))
    for seed in range(REPEATS):
        rng = np.random.default_rng(seed)
        fold = np.empty(len(y), dtype=int)
        for label in (0, 1):
            members = rng.permutation(np.flatnonzero(y == label))
            fold[members] = np.arange(len(members)) % FOLDS
        for k in range(FOLDS):
            train, test = fold != k, fold == k
            mean, std = x[train].mean(0), x[train].std(0) + 1e-9
            b, coef = to_raw(fit_logistic((x[train] - mean) / std, y[train]), mean, std)
            total[test] += b + x[test] @ coef
    return total / REPEATS


def lowest_free_threshold(logits: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """Lower `threshold` while that answers no more out-of-scope questions: halfway between the highest refused
    out-of-scope logit and the lowest in-scope logit above it (an in-scope question is not refused for nothing)."""
    refused_out = logits[(y == 0) & (logits < threshold)]
    if not len(refused_out):
        return threshold
    floor = float(refused_out.max())
    above = logits[(y == 1) & (logits > floor)]
    return min(threshold, (floor + float(above.min())) / 2) if len(above) else threshold


def rates(logits: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float]:
    """(in-scope answered, out-of-scope refused) at `threshold`."""
    answered = logits >= threshold
    return float(answered[y == 1].mean()), float((~answered[y == 0]).mean())


def dev_items(data: dict[str, Any]) -> list[tuple[str, int]]:
    """(question, 1 for in-scope / 0 for out-of-scope) of a DEV set; hostile questions are left out."""
    items = [(q["q"], 1) for q in data["questions"]]
    return items + [(o["q"], 0) for o in data["out_of_scope"] if o.get("kind") != "hostile"]


def fit(
    services: Services, path: Path = DEV, others: Sequence[tuple[str, Services, dict[str, Any]]] = ()
) -> RelevanceConfig:
    """Fit on the DEV file (and other corpora's DEV sets), print the cross-validated trade-off and the config."""
    sets = [("policies", services, dev_items(yaml.safe_load(path.read_text(encoding="utf-8"))))]
    sets += [(name, svc, dev_items(data)) for name, svc, data in others]
    items = [item for _, _, its in sets for item in its]
    corpus = np.array([name for name, _, its in sets for _ in its])
    x = np.array([astuple(features_of(svc, q)) for _, svc, its in sets for q, _ in its], dtype=float)
    y = np.array([label for _, label in items], dtype=float)
    names = [f.name for f in fields(RelevanceFeatures)]
    print(f"DEV: {int(y.sum())} in-scope, {int((1 - y).sum())} off-topic/not-covered")
    for i, name in enumerate(names):
        a, b = x[y == 1, i], x[y == 0, i]
        auc = float((a[:, None] > b[None, :]).mean() + 0.5 * (a[:, None] == b[None, :]).mean())
        print(f"  {name:<14} in-scope mean {a.mean():.3f}  out mean {b.mean():.3f}  AUC {auc:.3f}")

    oof = out_of_fold_logits(x, y)
    threshold = lowest_free_threshold(
        oof, y, float(np.quantile(oof[y == 1], 1 - ANSWER_RATE, method="lower"))
    )
    print(f"cross-validated ({REPEATS}x{FOLDS}-fold) trade-off, out-of-fold logits:")
    for rate in (0.99, 0.98, 0.97, 0.96, 0.95, 0.93, 0.90):
        t = float(np.quantile(oof[y == 1], 1 - rate, method="lower"))
        answered, refused = rates(oof, y, t)
        print(f"  answer {answered:.3f} of in-scope -> refuse {refused:.3f} of out-of-scope")

    mean, std = x.mean(0), x.std(0) + 1e-9
    intercept, coef = to_raw(fit_logistic((x - mean) / std, y), mean, std)
    config = RelevanceConfig(
        intercept=round(intercept, 2),
        threshold=round(threshold, 2),
        **{f"w_{name}": round(float(c), 2) for name, c in zip(names, coef, strict=True)},
    )
    answered, refused = rates(oof, y, threshold)
    print(f"  at the chosen threshold {threshold:+.2f}: answer {answered:.3f} -> refuse {refused:.3f}")
    for name, _, _ in sets:
        mask = corpus == name
        answered, refused = rates(oof[mask], y[mask], threshold)
        print(f"    {name}: answer {answered:.3f} of in-scope -> refuse {refused:.3f} of out-of-scope")
    print(f"fitted on all DEV (threshold from cross-validation at {ANSWER_RATE:.2f} answered):\n  {config}")
    frozen = RelevanceConfig()
    logits = np.array([frozen.logit(RelevanceFeatures(*row)) for row in x])
    answered, refused = rates(logits, y, frozen.threshold)
    print(
        f"frozen in core/answers/relevance.py: {frozen}\n  on DEV: answers {answered:.3f}, refuses {refused:.3f}"
    )
    for name, _, _ in sets:
        mask = corpus == name
        answered, refused = rates(logits[mask], y[mask], frozen.threshold)
        print(f"    {name}: answers {answered:.3f}, refuses {refused:.3f}")
    for (q, label), logit in sorted(zip(items, logits, strict=True), key=lambda p: p[1]):
        wrong = (logit >= frozen.threshold) != bool(label)
        if wrong:
            print(f"  {'refused in-scope' if label else 'answered out-of-scope'} ({logit:+.2f}): {q}")
    return config


def evaluate(services: Services, path: Path) -> dict[str, Any]:
    """Abstention of the service as configured, over every question of `path` (nothing is fitted)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    view = services.knowledge.current()
    refused_in = [q["q"] for q in data["questions"] if services.answers.ask(view, q["q"]).abstained]
    answered_out = [o for o in data["out_of_scope"] if not services.answers.ask(view, o["q"]).abstained]
    n_in, n_out = len(data["questions"]), len(data["out_of_scope"])
    refused_out = n_out - len(answered_out)
    abstained = refused_out + len(refused_in)
    result = {
        "in_scope": n_in,
        "out_of_scope": n_out,
        "in_scope_answered": 1 - len(refused_in) / n_in,
        "abstention_precision": refused_out / abstained if abstained else 1.0,
        "abstention_recall": refused_out / n_out if n_out else 1.0,
        "hostile_flagged": sum(is_hostile(o["q"]) for o in data["out_of_scope"] if o["kind"] == "hostile"),
        "hostile": sum(o["kind"] == "hostile" for o in data["out_of_scope"]),
        "refused_in_scope": refused_in,
        "answered_out_of_scope": [f"{o['kind']}: {o['q']}" for o in answered_out],
    }
    print(
        f"{path.name}: {n_in} in-scope, {n_out} out-of-scope; in-scope answered {result['in_scope_answered']:.3f}; "
        f"abstention precision {result['abstention_precision']:.3f}, recall {result['abstention_recall']:.3f}; "
        f"hostile flagged {result['hostile_flagged']}/{result['hostile']}"
    )
    for q in refused_in:
        print(f"  refused in-scope: {q}")
    for q in result["answered_out_of_scope"]:
        print(f"  answered out-of-scope: {q}")
    return result


NCP_SAMPLE = 150  # tuning-origin questions: about as many as each other corpus's in-scope DEV questions


def ncp_dev(ncp: Path, data_dir: Path, dev: Path) -> tuple[Services, dict[str, Any]]:
    """NCPPolicies as a third DEV corpus: in-scope questions of the tuning origin only, and the product's DEV
    out-of-scope questions (they must be declined on any corpus). Ingests the corpus as `make bench-ncp` does."""
    import json
    import random

    from benchmarks.bench_answers import question_sets, serving_settings
    from benchmarks.bench_ncp import TUNING_ORIGIN, _write_corpus
    from ingest.pipeline import ingest_folder

    _write_corpus(ncp, data_dir / "corpus")
    settings = serving_settings(data_dir / "state")
    ingest_folder(settings, data_dir / "corpus")
    queries = [json.loads(x) for x in (ncp / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    tuning = [q for q in queries if q["origin"] == TUNING_ORIGIN]
    picked = random.Random(0).sample(tuning, min(NCP_SAMPLE, len(tuning)))
    oos = yaml.safe_load(dev.read_text(encoding="utf-8"))["out_of_scope"]
    oos += question_sets("realdocs")["dev"]["out_of_scope"]
    data = {"questions": [{"q": q["question"]} for q in picked], "out_of_scope": oos}
    return build_services(settings), data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fit_relevance")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval")
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--realdocs", type=Path, default=None, help="also fit on the realdocs dev split")
    parser.add_argument("--realdocs-data-dir", type=Path, default=ROOT / "data" / "bench-realdocs")
    parser.add_argument(
        "--ncp",
        type=Path,
        default=None,
        help="also fit on NCPPolicies: tuning-origin questions as in-scope, "
        "the DEV out-of-scope questions of policies/ and realdocs asked of that corpus as out-of-scope",
    )
    parser.add_argument("--ncp-data-dir", type=Path, default=ROOT / "data" / "ncp")
    parser.add_argument(
        "--evaluate", type=Path, action="append", default=[], help="report on this file instead"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from ingest.pipeline import ingest_folder

    settings = Settings(data_dir=args.data_dir, reload_interval=3600.0)
    ingest_folder(settings, args.policies)  # a no-op when the knowledge base is up to date
    services = build_services(settings)
    others: list[tuple[str, Services, dict[str, Any]]] = []
    try:
        if args.evaluate:
            for path in args.evaluate:
                evaluate(services, path)
        else:
            if args.realdocs:
                from benchmarks.bench_answers import prepare, question_sets

                real = build_services(prepare("realdocs", args.realdocs, args.realdocs_data_dir))
                others.append(("realdocs", real, question_sets("realdocs")["dev"]))
            if args.ncp:
                others.append(("ncp", *ncp_dev(args.ncp, args.ncp_data_dir, args.dev)))
            fit(services, args.dev, others)
    finally:
        services.close()
        for _, svc, _ in others:
            svc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
