"""`make bench-answers`: does `/v1/ask` state the asked fact, on `policies/` or on the real national texts.

python -m benchmarks.bench_answers --corpus realdocs|policies [--split dev|test] [--realdocs DIR] [--data-dir DIR]

The corpus is ingested (incrementally) into a data dir under data/, then every question is posted to `/v1/ask` of
the real app (`create_app` over `build_services`, in process). Printed per split: gold document cited, answer key
in the answer text, key in the cited passages, mean answer length, out-of-scope declined; then the follow-up
conversations of benchmarks/sets/followups.yaml for the corpus, per turn. A conversation's later turns carry the
`conversation_id` the previous answer returned when the API returns one; otherwise each turn is asked alone.

Question sets: policies → tests/eval/dev_questions.yaml (dev) and questions.yaml (test); realdocs →
benchmarks/sets/realdocs.yaml (each item marked dev or test). Tune on dev, report test.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from core.settings import Settings
from tests.eval.answer_metrics import HEADER, AnswerTally

ROOT = Path(__file__).resolve().parents[1]
SETS = Path(__file__).resolve().parent / "sets"
EVAL = ROOT / "tests" / "eval"
SPLITS = ("dev", "test")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def question_sets(corpus: str) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Split name → {"questions": [...], "out_of_scope": [...]} for the corpus."""
    if corpus == "policies":
        return {"dev": load_yaml(EVAL / "dev_questions.yaml"), "test": load_yaml(EVAL / "questions.yaml")}
    data = load_yaml(SETS / "realdocs.yaml")
    return {
        split: {
            kind: [x for x in data[kind] if x["split"] == split] for kind in ("questions", "out_of_scope")
        }
        for split in SPLITS
    }


def conversations(corpus: str) -> list[dict[str, Any]]:
    """The follow-up conversations over `corpus`."""
    return [c for c in load_yaml(SETS / "followups.yaml")["conversations"] if c["corpus"] == corpus]


def mirror_texts(source: Path, folder: Path) -> int:
    """Copy the corpus's .txt documents (not its README or manifest) into `folder`; rewrite only changed files."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for src in sorted(source.glob("*.txt")):
        dst = folder / src.name
        data = src.read_bytes()
        if not dst.exists() or dst.read_bytes() != data:
            dst.write_bytes(data)
        n += 1
    return n


def serving_settings(data_dir: Path) -> Settings:
    """Settings for serving a benchmark in process: no reloads, no rate limit in the way."""
    return Settings(
        data_dir=data_dir,
        reload_interval=3600.0,
        env="development",
        log_format="text",
        rate_limit_per_ip="1000000/minute",
    )


def prepare(corpus: str, realdocs: Path, data_dir: Path) -> Settings:
    """Ingest the corpus into `data_dir` (incremental) and return the settings to serve it."""
    from ingest.pipeline import ingest_folder

    if corpus == "realdocs":
        if not (realdocs / "MANIFEST.tsv").exists():
            raise SystemExit(f"{realdocs} is not the realdocs folder (no MANIFEST.tsv); pass --realdocs")
        folder = data_dir / "corpus"
        mirror_texts(realdocs, folder)
    else:
        folder = ROOT / "policies"
    settings = serving_settings(data_dir / "state")
    started = time.perf_counter()
    report = ingest_folder(settings, folder)
    print(report.summary().splitlines()[0], f"({time.perf_counter() - started:.1f} s)")
    return settings


class Asker:
    """Posts questions to `/v1/ask` of the real app; keeps a conversation when the API returns one."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.conversation_ids_returned = False
        self.latencies: list[float] = []

    def ask(self, question: str, conversation_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question}
        if conversation_id:
            body["conversation_id"] = conversation_id
        started = time.perf_counter()
        response = self.client.post("/v1/ask", json=body)
        self.latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        out: dict[str, Any] = response.json()
        self.conversation_ids_returned |= bool(out.get("conversation_id"))
        return out


@contextmanager
def asker_for(settings: Settings, services: Any = None) -> Iterator[Asker]:
    """An `Asker` over `create_app` on `services` (built from `settings` and closed afterwards when not given)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.services import build_services

    own = services is None
    services = services or build_services(settings)
    try:
        services.knowledge.current()
        with TestClient(create_app(services=services), raise_server_exceptions=True) as client:
            yield Asker(client)
    finally:
        if own:
            services.close()


def run_questions(asker: Asker, data: dict[str, list[dict[str, Any]]]) -> AnswerTally:
    """Ask every question of one split; in-scope ones scored by their key, the rest by declining."""
    tally = AnswerTally()
    for item in data.get("questions", []):
        answer = asker.ask(item["q"])
        tally.add(answer, gold_docs=item["docs"], keys=item.get("answer") or [], question=item["q"])
    for item in data.get("out_of_scope", []):
        tally.add_out_of_scope(asker.ask(item["q"]), item["q"])
    return tally


def run_conversations(asker: Asker, convs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per-turn tallies (first turns, later turns) and the share of conversations right in every turn."""
    first, later = AnswerTally(), AnswerTally()
    measures = measures_right = whole = 0
    for conv in convs:
        conversation_id: str | None = None
        all_right = True
        for i, turn in enumerate(conv["turns"]):
            answer = asker.ask(turn["q"], conversation_id)
            conversation_id = answer.get("conversation_id") or None
            tally = first if i == 0 else later
            label = f"{conv['id']}#{i + 1} {turn['q']}"
            ok = tally.add(answer, gold_docs=turn["docs"], keys=turn.get("answer") or [], question=label)
            if turn.get("measure"):
                measures += 1
                named = any(m["id"] == turn["measure"] for m in answer.get("measures", []))
                measures_right += int(named)
            all_right &= ok
        whole += int(all_right)
    return {
        "first": first,
        "later": later,
        "conversations": len(convs),
        "all_turns_right": whole / len(convs) if convs else 1.0,
        "measure_named": measures_right / measures if measures else 1.0,
        "measure_turns": measures,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_answers")
    parser.add_argument("--corpus", choices=("realdocs", "policies"), default="realdocs")
    parser.add_argument("--split", choices=SPLITS, default=None, help="only this split (default: both)")
    parser.add_argument("--realdocs", type=Path, default=ROOT.parent / "shared" / "realdocs")
    parser.add_argument("--data-dir", type=Path, default=None, help="default data/bench-<corpus>")
    parser.add_argument("--misses", action="store_true", help="list the questions whose answer lacks the key")
    parser.add_argument("--json", type=Path, default=None, help="write every question, answer and score here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG when imported
    data_dir = args.data_dir or ROOT / "data" / f"bench-{args.corpus}"
    settings = prepare(args.corpus, args.realdocs, data_dir)
    sets = question_sets(args.corpus)
    convs = conversations(args.corpus)
    with asker_for(settings) as asker:
        started = time.perf_counter()
        tallies = {s: run_questions(asker, sets[s]) for s in SPLITS if args.split in (None, s)}
        conv = run_conversations(asker, convs)
        elapsed = time.perf_counter() - started
    print(f"corpus {args.corpus}: {HEADER}")
    for split, tally in tallies.items():
        print(tally.line(split))
        if args.misses:
            for q in tally.misses:
                print(f"    key not in answer: {q}")
            for q in tally.oos_answered:
                print(f"    answered out-of-scope: {q}")
    mode = (
        "with conversation_id" if asker.conversation_ids_returned else "each turn alone (no conversation_id)"
    )
    print(
        f"follow-ups: {conv['conversations']} conversations, asked {mode}; every turn right "
        f"{conv['all_turns_right']:.3f}; measure named {conv['measure_named']:.3f} (n={conv['measure_turns']})"
    )
    print(conv["first"].line("turn 1"))
    print(conv["later"].line("turns 2+"))
    if args.misses:
        for q in conv["first"].misses + conv["later"].misses:
            print(f"    key not in answer: {q}")
    if args.json:
        dump = {name: t.records for name, t in tallies.items()}
        dump |= {"turn 1": conv["first"].records, "turns 2+": conv["later"].records}
        args.json.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    lat = sorted(asker.latencies)
    p95 = lat[int(0.95 * (len(lat) - 1))] * 1000 if lat else 0.0
    print(f"({len(lat)} asks in {elapsed:.1f} s, /v1/ask p95 {p95:.0f} ms in process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
