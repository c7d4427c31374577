"""Grid-search the two fusion weights on cached retrieval legs: DEV questions and NCPPolicies; report the eval set.

python -m benchmarks.tune_fusion [--eval-state data/eval] [--ncp-state data/ncp/state] [--ncp ../shared/eval/ncp]

The weights are chosen on tests/eval/dev_questions.yaml (colloquial) and, when its knowledge base has been built by
`make bench-ncp`, NCPPolicies (formal). The held-out tests/eval/questions.yaml is only reported (for the frozen
`FusionConfig()`, and as ok/-- for each grid point), never ranked on. With the coverage rule the grid is a plateau:
every point with doc_weight >= 1 gains 0.06-0.08 in hit@1 + MRR over the better single leg on both tuning sets,
and the frozen point (0.6, 1.5) was picked from it. Each set is scored doc-level (hit@1, hit@5, MRR) as
`make eval` and `make bench-ncp` score it, beside BM25-only and dense-only. Legs are cached in data/legs-v2-*.pkl
(delete them after re-ingesting).
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from core.answers.retrieval import FusionConfig, Retriever
from core.services import build_services
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval"
BM25_WEIGHTS = (0.3, 0.45, 0.6, 0.75, 0.9)
DOC_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 2.5)


def collect(state: Path, questions: list[tuple[str, list[str]]], cache: Path) -> list[dict[str, Any]]:
    """The analysed query, retrieval legs and gold documents of each question (cached)."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    services = build_services(Settings(data_dir=state, reload_interval=3600.0))
    view = services.knowledge.current()
    rows = []
    for q, gold in questions:
        aq = services.retriever.analyze(view, q)
        legs = services.retriever.legs(view, aq, services.retriever.config.candidates)
        rows.append({"aq": aq, "legs": legs, "gold": gold})
    cache.write_bytes(pickle.dumps(rows))
    services.close()
    return rows


def score(rows: list[dict[str, Any]], cfg: FusionConfig, mode: str = "hybrid") -> np.ndarray:
    """hit@1, hit@5 and MRR (over the top 5 distinct documents) of `cfg` on cached legs."""
    r = Retriever(lambda: None, cfg)  # type: ignore[arg-type,return-value]
    acc = np.zeros(3)
    for row in rows:
        fused = r._fuse(row["legs"], mode, row["aq"])  # type: ignore[arg-type]
        doc_of = row["legs"].chunk_doc
        ranked = list(dict.fromkeys(doc_of[i] for i, _ in sorted(fused.items(), key=lambda kv: -kv[1])))[:5]
        rank = next((i for i, d in enumerate(ranked, 1) if d in row["gold"]), None)
        acc += (rank == 1, rank is not None, 1 / rank if rank else 0)
    return acc / len(rows)


def _questions(name: str) -> list[tuple[str, list[str]]]:
    data = yaml.safe_load((EVAL / name).read_text(encoding="utf-8"))
    return [(x["q"], x["docs"]) for x in data["questions"]]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tune_fusion")
    parser.add_argument("--eval-state", type=Path, default=ROOT / "data" / "eval")
    parser.add_argument("--ncp-state", type=Path, default=ROOT / "data" / "ncp" / "state")
    parser.add_argument("--ncp", type=Path, default=ROOT.parent / "shared" / "eval" / "ncp")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    data = ROOT / "data"
    tune = {"dev": collect(args.eval_state, _questions("dev_questions.yaml"), data / "legs-v2-dev.pkl")}
    if (args.ncp_state / "kb" / "CURRENT.json").exists():
        qs = [json.loads(x) for x in (args.ncp / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
        tune["ncp"] = collect(
            args.ncp_state, [(q["question"], [q["gold_docid"]]) for q in qs], data / "legs-v2-ncp.pkl"
        )
    held_out = collect(args.eval_state, _questions("questions.yaml"), data / "legs-v2-eval.pkl")
    base = FusionConfig()
    legs_best: dict[str, np.ndarray] = {}
    for name, rows in {**tune, "eval (held out)": held_out}.items():
        single = {mode: score(rows, base, mode) for mode in ("bm25", "dense")}
        legs_best[name] = np.maximum(single["bm25"], single["dense"])
        for mode, s in {**single, "hybrid": score(rows, base)}.items():
            print(f"{name:<16} {mode:<7} hit@1 {s[0]:.3f}  hit@5 {s[1]:.3f}  MRR {s[2]:.3f}")

    def margin(res: dict[str, np.ndarray]) -> float:
        """Mean gain in hit@1 + MRR over the better single leg across the tuning sets; -1 when the fusion falls
        below the better leg on any metric of any set (the issue's requirement)."""
        if any((r < legs_best[n] - 1e-9).any() for n, r in res.items()):
            return -1.0
        return float(np.mean([r[0] + r[2] - legs_best[n][0] - legs_best[n][2] for n, r in res.items()]))

    # The whole grid: the gain on the tuning sets, and whether the held-out set keeps the requirement there too
    # (a plateau, not a lucky point, is what should be frozen).
    held_best = legs_best["eval (held out)"]
    print("mean gain in hit@1 + MRR over the better leg on the tuning sets (x: below it somewhere);")
    print("'ok' where the held-out eval set is also at least as good as its better leg on every metric")
    print("bm25_weight \\ doc_weight " + " ".join(f"{w:>10}" for w in DOC_WEIGHTS))
    for wb in BM25_WEIGHTS:
        cells = []
        for wdoc in DOC_WEIGHTS:
            cfg = replace(base, bm25_weight=wb, doc_weight=wdoc)
            gain = margin({n: score(rows, cfg) for n, rows in tune.items()})
            held = "ok" if (score(held_out, cfg) >= held_best - 1e-9).all() else "--"
            cells.append(f"{'x' if gain < 0 else f'{gain:+.3f}'} {held}".rjust(10))
        print(f"{wb:<24}" + " ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
