"""The DEV questions the fitters learn from (benchmarks/fit_passages.py, benchmarks/fit_rerank.py), and their
shared command line.

DEV sets: tests/eval/dev_questions.yaml over policies/, the dev split of benchmarks/sets/realdocs.yaml over the
realdocs texts (`--realdocs`), and NCPPolicies questions of origin wjunneng_local_train (`--ncp`). Each comes with
the services of its ingested corpus.

Example::

    args = add_arguments(argparse.ArgumentParser()).parse_args()
    for corpus, services, questions in dev_corpora(args):
        print(corpus, len(questions))
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from benchmarks.bench_answers import prepare, question_sets, serving_settings
from core.services import Services, build_services

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "eval" / "dev_questions.yaml"
T = TypeVar("T")


@dataclass(frozen=True)
class DevQuestion:
    """A DEV question, the strings one of which states its answer, and its gold documents."""

    question: str
    keys: list[str]
    docs: list[str]


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Where the three corpora are and where they are ingested; folds; a cache of the collected candidates."""
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT / "data" / "eval", help="policies/ ingested here"
    )
    parser.add_argument("--realdocs", type=Path, default=None)
    parser.add_argument("--realdocs-data-dir", type=Path, default=ROOT / "data" / "bench-realdocs")
    parser.add_argument("--ncp", type=Path, default=None)
    parser.add_argument("--ncp-data-dir", type=Path, default=ROOT / "data" / "ncp", help="as make bench-ncp")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--cache", type=Path, default=None, help="keep the candidates here (refit without asking)"
    )
    return parser


def quiet_logging() -> None:
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG when imported


def cached(path: Path | None, collect: Callable[[], T]) -> T:
    """`collect()`, or what an earlier run stored at `path`; stored there when given."""
    if path and path.exists():
        return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]
    out = collect()
    if path:
        path.write_bytes(pickle.dumps(out))
    return out


def dev_corpora(args: argparse.Namespace) -> Iterator[tuple[str, Services, list[DevQuestion]]]:
    """(corpus, its services, its DEV questions) for policies/ and for each corpus asked for."""

    def of(items: list[dict]) -> list[DevQuestion]:  # type: ignore[type-arg]
        return [DevQuestion(q["q"], q.get("answer") or [], q.get("docs") or []) for q in items]

    dev = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    yield "policies", build_services(prepare("policies", ROOT, args.data_dir)), of(dev["questions"])
    if args.realdocs:
        real = build_services(prepare("realdocs", args.realdocs, args.realdocs_data_dir))
        yield "realdocs", real, of(question_sets("realdocs")["dev"]["questions"])
    if args.ncp:
        from benchmarks.bench_ncp import TUNING_ORIGIN

        ncp = build_services(serving_settings(args.ncp_data_dir / "state"))
        queries = [
            json.loads(x) for x in (args.ncp / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        tuning = [
            DevQuestion(q["question"], [q["answer"]], [q["gold_docid"]])
            for q in queries
            if q["origin"] == TUNING_ORIGIN
        ]
        yield "ncp", ncp, tuning
