"""`make eval`: retrieval quality (hybrid vs BM25-only vs dense-only), abstention and answer-level figures.

Usage: python -m tests.eval.run_eval [--data-dir DIR] [--set dev|test|both]

The answer-level figures (see tests/eval/answer_metrics.py) say whether the answer text states the asked fact:
its `answer` key in the answer text, in the cited passages, the mean answer length, and out-of-scope declined.
DEV (dev_questions.yaml, the tuning set) and the test set (questions.yaml, held out) are reported apart.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.answers.retrieval import Mode
from core.services import Services, build_services
from core.settings import Settings
from tests.eval.answer_metrics import HEADER, AnswerTally

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
QUESTIONS = HERE / "questions.yaml"
DEV_QUESTIONS = HERE / "dev_questions.yaml"
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")


@dataclass
class Scores:
    """Document-level retrieval scores of one mode."""

    n: int = 0
    hit1: int = 0
    hit5: int = 0
    rr: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, ranked_docs: Sequence[str], gold: Sequence[str], question: str) -> None:
        self.n += 1
        rank = next((i for i, d in enumerate(ranked_docs, 1) if d in gold), None)
        if rank == 1:
            self.hit1 += 1
        if rank is not None and rank <= 5:
            self.hit5 += 1
            self.rr += 1.0 / rank
        else:
            self.misses.append(question)

    def as_dict(self) -> dict[str, float]:
        n = self.n or 1
        return {"hit@1": self.hit1 / n, "hit@5": self.hit5 / n, "mrr": self.rr / n}


def load_questions(path: Path = QUESTIONS) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def ranked_docs(services: Services, query: str, mode: Mode, k: int = 5) -> list[str]:
    """Distinct documents of the top chunks, in rank order, up to k."""
    view = services.knowledge.current()
    hits = services.retriever.search(view, query, k=60, mode=mode)  # distinct documents of a long list
    out: list[str] = []
    for h in hits:
        if h.chunk.doc_id not in out:
            out.append(h.chunk.doc_id)
    return out[:k]


def evaluate(services: Services, questions: dict[str, Any] | None = None) -> dict[str, Any]:
    """Scores per mode, per style, abstention precision/recall and answer-level figures."""
    data = questions or load_questions()
    view = services.knowledge.current()
    per_mode = {m: Scores() for m in MODES}
    per_style: dict[str, Scores] = {}
    measure_hits = measure_total = 0
    answered_in_scope = 0
    abstained_in_scope: list[str] = []
    tally = AnswerTally()
    for item in data["questions"]:
        q, gold = item["q"], item["docs"]
        for mode in MODES:
            docs = ranked_docs(services, q, mode)
            per_mode[mode].add(docs, gold, q)
            if mode == "hybrid":
                per_style.setdefault(item.get("style", "?"), Scores()).add(docs, gold, q)
        answer = services.answers.ask(view, q)  # as `/v1/ask` calls it (top_k 3)
        tally.add(answer, gold_docs=gold, keys=item.get("answer") or [], question=q)
        if answer.abstained:
            abstained_in_scope.append(q)
        else:
            answered_in_scope += 1
        if item.get("measure"):
            measure_total += 1
            measure_hits += int(any(m["id"] == item["measure"] for m in answer.measures))
    oos = data.get("out_of_scope", [])
    oos_answers = [services.answers.ask(view, o["q"]) for o in oos]
    oos_answered = [o["q"] for o, a in zip(oos, oos_answers, strict=True) if not a.abstained]
    for o, a in zip(oos, oos_answers, strict=True):
        tally.add_out_of_scope(a, o["q"])
    oos_referred = sum(a.reason == "out_of_scope" for a in oos_answers)  # told which office to ask instead
    oos_abstained = len(oos) - len(oos_answered)
    total_abstained = oos_abstained + len(abstained_in_scope)
    return {
        "modes": {m: s.as_dict() for m, s in per_mode.items()},
        "styles": {k: {**v.as_dict(), "n": v.n} for k, v in sorted(per_style.items())},
        "misses": {m: s.misses for m, s in per_mode.items()},
        "questions": len(data["questions"]),
        "out_of_scope": len(oos),
        "abstention_precision": oos_abstained / total_abstained if total_abstained else 1.0,
        "abstention_recall": oos_abstained / len(oos) if oos else 1.0,
        "oos_answered": oos_answered,
        "oos_referred": oos_referred,
        "in_scope_abstained": abstained_in_scope,
        "measure_accuracy": measure_hits / measure_total if measure_total else 1.0,
        "answers": tally.as_dict(),
        "answer_tally": tally,
    }


def print_report(result: dict[str, Any], name: str = "test") -> None:
    print(f"{name} set: {result['questions']} questions, {result['out_of_scope']} out-of-scope / hostile")
    print(f"{'mode':<8} {'hit@1':>7} {'hit@5':>7} {'MRR':>7}")
    for mode, s in result["modes"].items():
        print(f"{mode:<8} {s['hit@1']:7.3f} {s['hit@5']:7.3f} {s['mrr']:7.3f}")
    print("hybrid by style:")
    for style, s in result["styles"].items():
        print(
            f"  {style:<12} n={s['n']:<4} hit@1 {s['hit@1']:.3f}  hit@5 {s['hit@5']:.3f}  MRR {s['mrr']:.3f}"
        )
    print(
        f"abstention: precision {result['abstention_precision']:.3f}, recall {result['abstention_recall']:.3f}; "
        f"measure named correctly {result['measure_accuracy']:.3f}"
    )
    print(
        f"in-scope answered {1 - len(result['in_scope_abstained']) / (result['questions'] or 1):.3f}; "
        f"out-of-scope told whom to ask instead {result['oos_referred']}/{result['out_of_scope']}"
    )
    for q in result["oos_answered"]:
        print(f"  answered out-of-scope: {q}")
    for q in result["in_scope_abstained"]:
        print(f"  abstained in scope: {q}")
    for q in result["misses"]["hybrid"]:
        print(f"  hybrid miss@5: {q}")
    print(HEADER)
    print(result["answer_tally"].line(name))
    for q in result["answer_tally"].misses:
        print(f"  key not in answer: {q}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.eval.run_eval")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval")
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("--set", choices=("dev", "test", "both"), default="both", dest="which")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG when imported
    from ingest.pipeline import ingest_folder

    settings = Settings(data_dir=args.data_dir, reload_interval=3600.0)
    report = ingest_folder(settings, args.policies)
    print(report.summary().splitlines()[0])
    services = build_services(settings)
    try:
        sets = {"dev": DEV_QUESTIONS, "test": QUESTIONS}
        tallies: dict[str, AnswerTally] = {}
        for name, path in sets.items():
            if args.which not in (name, "both"):
                continue
            started = time.perf_counter()
            result = evaluate(services, load_questions(path))
            print_report(result, name)
            print(f"({time.perf_counter() - started:.1f} s)\n")
            tallies[name] = result["answer_tally"]
        print(HEADER)
        for name, tally in tallies.items():
            print(tally.line(name.upper() if name == "dev" else name))
    finally:
        services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
