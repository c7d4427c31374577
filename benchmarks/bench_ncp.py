"""`make bench-ncp NCP=<path>`: the NCPPolicies benchmark, doc-level retrieval beside a jieba+BM25 baseline, then
answer-level figures of `/v1/ask`.

Each corpus document is written to `<docid>.txt`, the folder is ingested by the real pipeline (incremental, so a
second run reuses the vectors), every question is asked, and a hit is counted when a result among the top k comes
from the gold document. The baseline is plain BM25 (bm25s) over jieba tokens of whole documents, in the same run.
Then every question is posted to `/v1/ask` of the real app: gold document cited, gold answer (the extractive span)
in the answer text, gold answer in the cited passages, mean answer length; split into tuning (origin
wjunneng_local_train, the only questions to tune on) and held-out (the rest).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_answers import asker_for, question_sets, serving_settings
from core.services import Services, build_services
from core.text import tokenize
from ingest.pipeline import ingest_folder
from tests.eval.answer_metrics import HEADER, AnswerTally

ROOT = Path(__file__).resolve().parents[1]
TUNING_ORIGIN = "wjunneng_local_train"


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
    parser.add_argument("--sample", type=int, default=0, help="only N questions drawn at random (seed 0)")
    parser.add_argument("--no-answers", action="store_true", help="retrieval only, skip the /v1/ask figures")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG when imported
    if not (args.ncp / "corpus.jsonl").exists():
        parser.error(f"{args.ncp} has no corpus.jsonl (pass NCP=<path to eval/ncp>)")
    texts = _write_corpus(args.ncp, args.data_dir / "corpus")
    settings = serving_settings(args.data_dir / "state")
    started = time.perf_counter()
    report = ingest_folder(settings, args.data_dir / "corpus", progress=True)
    print(report.summary())
    print(f"ingest: {time.perf_counter() - started:.1f} s")
    queries = [json.loads(x) for x in (args.ncp / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    if args.limit:
        queries = queries[: args.limit]
    if args.sample and args.sample < len(queries):
        queries = random.Random(0).sample(queries, args.sample)

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
    if not args.no_answers:
        answer_figures(services, queries)
    services.close()
    return 0


def answer_figures(services: Services, queries: list[dict[str, Any]]) -> None:
    """Post every question to `/v1/ask`; print the answer-level figures for tuning and held-out questions."""
    tallies = {"tuning": AnswerTally(), "held-out": AnswerTally()}
    started = time.perf_counter()
    with asker_for(services.settings, services) as asker:
        for q in queries:
            split = "tuning" if q["origin"] == TUNING_ORIGIN else "held-out"
            answer = asker.ask(q["question"])
            tallies[split].add(
                answer, gold_docs=[q["gold_docid"]], keys=[q["answer"]], question=q["question"]
            )
        # NCP has no out-of-scope questions: the product's own (weather, exams, divorce …) of both question sets,
        # asked of this corpus, must be declined here too.
        # The relevance model is fitted with the DEV ones (benchmarks/fit_relevance.py --ncp): report them apart.
        oos = {split: AnswerTally() for split in ("dev", "test")}
        for corpus in ("policies", "realdocs"):
            for split, data in question_sets(corpus).items():
                for item in data.get("out_of_scope", []):
                    if item.get("kind") != "hostile":  # refused before relevance is asked
                        oos[split].add_out_of_scope(asker.ask(item["q"]), item["q"])
    lat = np.array(asker.latencies) * 1000
    print(
        f"/v1/ask ({len(lat)} questions, {time.perf_counter() - started:.1f} s, p95 {np.percentile(lat, 95):.0f} ms)"
    )
    print(HEADER.replace("key =", "key = the gold extractive answer, here; in general"))
    for name, tally in tallies.items():
        print(tally.line(name))
    for split, tally in oos.items():
        declined = tally.as_dict()["oos_declined"]
        print(
            f"out-of-scope ({split} questions of policies/ and realdocs) declined {declined:.3f} (n={tally.oos})"
        )
        if tally.oos_answered:
            print("  answered:", "；".join(tally.oos_answered))


if __name__ == "__main__":
    raise SystemExit(main())
