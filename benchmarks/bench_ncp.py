"""`make bench-ncp NCP=<path>`: the NCPPolicies retrieval benchmark, doc-level, beside a jieba+BM25 baseline.

Each corpus document is written to `<docid>.txt`, the folder is ingested by the real pipeline (incremental, so a
second run reuses the vectors), every question is asked, and a hit is counted when a result among the top k comes
from the gold document. The baseline is plain BM25 (bm25s) over jieba tokens of whole documents, in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from core.services import build_services
from core.settings import Settings
from core.text import tokenize
from ingest.pipeline import ingest_folder

ROOT = Path(__file__).resolve().parents[1]


def _write_corpus(ncp: Path, folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    texts: dict[str, str] = {}
    for line in (ncp / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        texts[doc["docid"]] = doc["text"]
        path = folder / f"{doc['docid']}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != doc["text"]:
            path.write_text(doc["text"], encoding="utf-8")
    return texts


def _scores(ranked: list[str], gold: str) -> tuple[int, int, float]:
    rank = next((i for i, d in enumerate(ranked, 1) if d == gold), None)
    return int(rank == 1), int(rank is not None and rank <= 5), (1.0 / rank if rank and rank <= 5 else 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_ncp")
    parser.add_argument("ncp", type=Path, nargs="?", default=ROOT.parent / "shared" / "eval" / "ncp")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "ncp")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not (args.ncp / "corpus.jsonl").exists():
        parser.error(f"{args.ncp} has no corpus.jsonl (pass NCP=<path to eval/ncp>)")
    texts = _write_corpus(args.ncp, args.data_dir / "corpus")
    settings = Settings(data_dir=args.data_dir / "state", reload_interval=3600.0)
    started = time.perf_counter()
    report = ingest_folder(settings, args.data_dir / "corpus", progress=True)
    print(report.summary())
    print(f"ingest: {time.perf_counter() - started:.1f} s")
    queries = [json.loads(x) for x in (args.ncp / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    if args.limit:
        queries = queries[: args.limit]

    import bm25s

    ids = list(texts)
    baseline = bm25s.BM25()
    baseline.index([tokenize(texts[d]) or ["\u2205"] for d in ids], show_progress=False)

    services = build_services(settings)
    view = services.knowledge.current()
    table: dict[str, np.ndarray] = {}
    latency: dict[str, list[float]] = {}
    for name in ("baseline-bm25", "bm25", "dense", "hybrid"):
        acc = np.zeros(3)
        lat: list[float] = []
        for q in queries:
            t = time.perf_counter()
            if name == "baseline-bm25":
                toks = tokenize(q["question"])
                s = baseline.get_scores(toks) if toks else np.zeros(len(ids))
                ranked = [ids[i] for i in np.argsort(-s)[:5]]
            else:
                hits = services.retriever.search(view, q["question"], k=60, mode=name)  # type: ignore[arg-type]
                ranked = list(dict.fromkeys(h.chunk.doc_id for h in hits))[:5]
            lat.append(time.perf_counter() - t)
            acc += _scores(ranked, q["gold_docid"])
        table[name] = acc / len(queries)
        latency[name] = lat
    print(f"NCPPolicies: {len(texts)} documents, {len(view.chunks)} chunks, {len(queries)} questions")
    print(f"{'method':<14} {'hit@1':>7} {'hit@5':>7} {'MRR':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (h1, h5, mrr) in table.items():
        lat = np.array(latency[name]) * 1000
        print(
            f"{name:<14} {h1:7.3f} {h5:7.3f} {mrr:7.3f} {np.percentile(lat, 50):8.1f} {np.percentile(lat, 95):8.1f}"
        )
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
