"""Grid-search the fusion weights on cached retrieval legs (eval set and, when given, NCPPolicies).

python -m benchmarks.tune_fusion [--ncp-state data/ncp/state] [--ncp ../shared/eval/ncp]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

from core.retrieval import FusionConfig, Retriever
from core.services import build_services
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def collect(state: Path, questions: list[tuple[str, list[str]]], cache: Path) -> list[dict]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    services = build_services(Settings(data_dir=state, reload_interval=3600.0))
    view = services.knowledge.current()
    rows = []
    for q, gold in questions:
        aq = services.retriever.analyze(view, q)
        rows.append({"aq": aq, "legs": services.retriever.legs(view, aq, 60), "gold": gold})
    cache.write_bytes(pickle.dumps(rows))
    services.close()
    return rows


def score(rows: list[dict], cfg: FusionConfig, mode: str = "hybrid") -> np.ndarray:
    r = Retriever(lambda: None, cfg)  # type: ignore[arg-type,return-value]
    acc = np.zeros(3)
    for row in rows:
        fused = r._fuse(row["legs"], mode, row["aq"])  # type: ignore[arg-type]
        doc_of = row["legs"].chunk_doc
        ranked = list(dict.fromkeys(doc_of[i] for i, _ in sorted(fused.items(), key=lambda kv: -kv[1])))[:5]
        rank = next((i for i, d in enumerate(ranked, 1) if d in row["gold"]), None)
        acc += (rank == 1, rank is not None, 1 / rank if rank else 0)
    return acc / len(rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval-state", type=Path, default=ROOT / "data" / "eval")
    parser.add_argument("--ncp-state", type=Path, default=ROOT / "data" / "ncp" / "state")
    parser.add_argument("--ncp", type=Path, default=ROOT.parent / "shared" / "eval" / "ncp")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    ev = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yaml").read_text(encoding="utf-8"))
    sets = {
        "eval": collect(
            args.eval_state, [(x["q"], x["docs"]) for x in ev["questions"]], ROOT / "data" / "legs-eval.pkl"
        )
    }
    if (args.ncp_state / "kb" / "CURRENT.json").exists():
        qs = [json.loads(x) for x in (args.ncp / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
        sets["ncp"] = collect(
            args.ncp_state, [(q["question"], [q["gold_docid"]]) for q in qs], ROOT / "data" / "legs-ncp.pkl"
        )
    base = FusionConfig()
    for name, rows in sets.items():
        for mode in ("bm25", "dense", "hybrid"):
            print(name, mode, score(rows, base, mode).round(3))
    results = []
    grid = itertools.product([0.3, 0.45, 0.6], [0.0, 0.3], [0.0, 0.25], [0.0, 0.2, 0.4, 0.7, 1.0])
    for wb, rrf, shift, wdoc in grid:
        cfg = replace(
            base,
            bm25_weight=wb,
            dense_weight=1 - wb,
            rrf_weight=rrf,
            adaptive=shift > 0,
            adaptive_shift=shift,
            doc_weight=wdoc,
        )
        res = {n: score(rows, cfg) for n, rows in sets.items()}
        results.append((cfg, res))

    def key(item):
        return min(r[0] + r[2] for r in item[1].values())

    for cfg, res in sorted(results, key=key, reverse=True)[:12]:
        print(
            cfg.bm25_weight,
            cfg.rrf_weight,
            cfg.adaptive,
            cfg.adaptive_shift,
            cfg.doc_weight,
            {n: r.round(3).tolist() for n, r in res.items()},
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
