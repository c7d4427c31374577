"""benchmarks/bench_answers.py without the real corpus: sets per split, corpus mirroring, conversation carry-over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.bench_answers import Asker, conversations, mirror_texts, question_sets, run_conversations


class _Response:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def raise_for_status(self) -> None:
        return None

    def json(self) -> dict[str, Any]:
        return self.body


class _RecordingClient:
    """Answers every question with the same cited passage; returns a conversation id when told to."""

    def __init__(self, *, returns_conversation: bool) -> None:
        self.returns_conversation = returns_conversation
        self.sent: list[dict[str, Any]] = []

    def post(self, path: str, json: dict[str, Any]) -> _Response:
        assert path == "/v1/ask"
        self.sent.append(json)
        body: dict[str, Any] = {
            "answer": "每户补助3.5万元[1]",
            "abstained": False,
            "citations": [{"doc_id": "qinghe-housing-safety-2023", "text": "每户补助3.5万元；"}],
            "measures": [],
        }
        if self.returns_conversation:
            body["conversation_id"] = json.get("conversation_id") or f"c{len(self.sent)}"
        return _Response(body)


def _conversation() -> list[dict[str, Any]]:
    turn = {"q": "给多少钱", "docs": ["qinghe-housing-safety-2023"], "answer": ["3.5万元"]}
    return [{"id": "x", "corpus": "policies", "turns": [dict(turn, q="危房改造补多少"), turn]}]


def test_later_turns_carry_the_conversation_id_the_api_returned() -> None:
    client = _RecordingClient(returns_conversation=True)
    asker = Asker(client)
    result = run_conversations(asker, _conversation())
    assert [s.get("conversation_id") for s in client.sent] == [None, "c1"]
    assert asker.conversation_ids_returned
    assert result["all_turns_right"] == 1.0 and result["later"].key_in_answer == 1


def test_without_conversation_ids_each_turn_is_asked_alone() -> None:
    client = _RecordingClient(returns_conversation=False)
    asker = Asker(client)
    run_conversations(asker, _conversation())
    assert all("conversation_id" not in s for s in client.sent)
    assert not asker.conversation_ids_returned


def test_sets_split_by_corpus() -> None:
    realdocs = question_sets("realdocs")
    assert set(realdocs) == {"dev", "test"}
    assert all(x["split"] == "dev" for x in realdocs["dev"]["questions"] + realdocs["dev"]["out_of_scope"])
    assert len(question_sets("policies")["test"]["questions"]) >= 100
    assert conversations("policies") and conversations("realdocs")
    assert {c["corpus"] for c in conversations("realdocs")} == {"realdocs"}


def test_mirror_copies_only_the_texts_and_rewrites_only_changes(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text("甲", encoding="utf-8")
    (source / "README.md").write_text("说明", encoding="utf-8")
    (source / "MANIFEST.tsv").write_text("x", encoding="utf-8")
    target = tmp_path / "corpus"
    assert mirror_texts(source, target) == 1
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    mtime = (target / "a.txt").stat().st_mtime_ns
    mirror_texts(source, target)
    assert (target / "a.txt").stat().st_mtime_ns == mtime
