"""Answer keys of the eval and benchmark sets: present, verbatim in their gold documents, and scored as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.eval.answer_metrics import AnswerTally, key_in

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "eval"
SETS = ROOT / "benchmarks" / "sets"
POLICY_DOCS = ROOT / "policies" / "docs"
REALDOCS = ROOT.parent / "shared" / "realdocs"  # benchmarks only: checked when present, never required


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _policy_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in POLICY_DOCS.glob("*.md")}


def _key_problems(items: list[dict[str, Any]], texts: dict[str, str]) -> list[str]:
    problems = []
    for item in items:
        keys = item.get("answer")
        if not keys or not all(isinstance(k, str) and k.strip() for k in keys):
            problems.append(f"no answer key: {item['q']}")
            continue
        missing = [d for d in item["docs"] if d not in texts]
        if missing:
            problems.append(f"unknown docs {missing}: {item['q']}")
            continue
        problems += [
            f"not in its gold docs: {k!r} ({item['q']})"
            for k in keys
            if not any(k in texts[d] for d in item["docs"])
        ]
    return problems


@pytest.mark.parametrize("name", ["questions.yaml", "dev_questions.yaml"])
def test_every_in_scope_eval_question_has_a_key_verbatim_in_its_gold_doc(name: str) -> None:
    items = _load(EVAL / name)["questions"]
    assert len(items) >= 100
    assert _key_problems(items, _policy_texts()) == []


def test_realdocs_set_is_large_enough_split_and_keyed() -> None:
    data = _load(SETS / "realdocs.yaml")
    questions, oos = data["questions"], data["out_of_scope"]
    assert len(questions) >= 60 and len(oos) >= 20
    for item in questions + oos:
        assert item["split"] in ("dev", "test"), item
    for split in ("dev", "test"):
        assert any(x["split"] == split for x in questions) and any(x["split"] == split for x in oos)
    for item in questions:
        assert item["docs"] and item["answer"], item
    assert len({x["q"] for x in questions + oos}) == len(questions) + len(oos)  # no duplicates


def test_followup_set_has_short_conversations_with_keys_per_turn() -> None:
    convs = _load(SETS / "followups.yaml")["conversations"]
    assert len(convs) >= 20
    assert len({c["id"] for c in convs}) == len(convs)
    measures = {p.stem for p in (ROOT / "policies" / "measures").glob("*.yaml")}
    texts = _policy_texts()
    for conv in convs:
        assert conv["corpus"] in ("policies", "realdocs")
        assert 2 <= len(conv["turns"]) <= 3, conv["id"]
        for turn in conv["turns"]:
            assert turn["docs"] and turn["answer"], (conv["id"], turn["q"])
            assert turn.get("measure") is None or turn["measure"] in measures
        if conv["corpus"] == "policies":
            assert _key_problems(conv["turns"], texts) == [], conv["id"]
    assert {c["corpus"] for c in convs} == {"policies", "realdocs"}


@pytest.mark.skipif(
    not (REALDOCS / "MANIFEST.tsv").exists(), reason="../shared/realdocs is not on this machine"
)
def test_realdocs_keys_are_verbatim_and_questions_copy_no_sentence() -> None:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in REALDOCS.glob("*.txt")}
    items = _load(SETS / "realdocs.yaml")["questions"]
    items += [
        t
        for c in _load(SETS / "followups.yaml")["conversations"]
        if c["corpus"] == "realdocs"
        for t in c["turns"]
    ]
    assert _key_problems(items, texts) == []
    for item in items:  # villagers' words: no run of 8 characters taken from the document
        q = item["q"]
        runs = (q[i : i + 8] for i in range(len(q) - 7))
        assert not any(r in texts[d] for r in runs for d in item["docs"]), q


def test_a_key_counts_across_markers_and_line_breaks_but_not_elsewhere() -> None:
    assert key_in(["每户补助3.5万元"], "D级危房拆除重建，每户补助3.5\n万元[2]")
    assert key_in(["１．５万元", "没有"], "每户补助1.5万元")  # NFKC: full-width digits match
    assert not key_in(["每户补助3.5万元"], "每户补助1.5万元[1]")
    assert not key_in([""], "anything")


def test_tally_scores_answer_text_cited_passages_length_and_declining() -> None:
    tally = AnswerTally()
    cite = {"doc_id": "d1", "text": "补助标准为每人每月90元。"}
    tally.add(
        {"answer": "每人每月90元[1]", "abstained": False, "citations": [cite]},
        gold_docs=["d1"],
        keys=["每人每月90元"],
    )
    tally.add(
        {"answer": "请咨询民政局[1]", "abstained": False, "citations": [cite]},
        gold_docs=["d1"],
        keys=["每人每月90元"],
        question="q2",
    )
    tally.add(
        {"answer": "没有找到", "abstained": True, "citations": []},
        gold_docs=["d1"],
        keys=["90元"],
        question="q3",
    )
    tally.add_out_of_scope({"answer": "无关", "abstained": True, "citations": []})
    tally.add_out_of_scope({"answer": "答了", "abstained": False, "citations": []}, "天气")
    d = tally.as_dict()
    assert d["key_in_answer"] == pytest.approx(1 / 3) and d["key_in_cited"] == pytest.approx(2 / 3)
    assert d["doc_cited"] == pytest.approx(2 / 3) and d["answered"] == pytest.approx(2 / 3)
    assert d["mean_chars"] == pytest.approx((len("每人每月90元[1]") + len("请咨询民政局[1]")) / 2)
    assert d["oos_declined"] == 0.5 and tally.oos_answered == ["天气"] and tally.misses == ["q2", "q3"]
