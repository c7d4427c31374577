"""The append-only JSON-lines logs: masking, order, torn lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.records.feedback import FeedbackLog
from core.records.unanswered import UnansweredLog


def test_unanswered_masks_and_lists_newest_first(tmp_path: Path) -> None:
    log = UnansweredLog(tmp_path / "u.jsonl")
    log.record("身份证110101199003071234能办低保吗", "no_match")
    log.record("手机13812345678", "hostile")
    items = log.list()
    assert [i["reason"] for i in items] == ["hostile", "no_match"]
    assert "110101199003071234" not in str(items) and "13812345678" not in str(items)
    assert log.list(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert len(log.list(since=datetime(2000, 1, 1))) == 2  # a naive time is taken as UTC


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    log = FeedbackLog(path)
    log.record(question="危房改造补多少", helpful=True, doc_ids=["a", "a", "b"])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"time": "2026-')  # a crash mid-write
    items = log.list()
    assert len(items) == 1 and items[0]["doc_ids"] == ["a", "b"] and items[0]["helpful"] is True
    log.record(question="x", helpful=False)  # starts on a new line: the torn one costs nothing more
    assert [i["helpful"] for i in log.list()] == [False, True]
