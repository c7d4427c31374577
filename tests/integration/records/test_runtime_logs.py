"""Unanswered questions and answer feedback in the database, and the one-time import of the old JSON-lines files.

On real SQLite and real PostgreSQL, with replicas sharing a data dir and the database.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from core.records.db import Database
from core.records.feedback import FeedbackLog
from core.records.legacy import LegacyImport
from core.records.unanswered import UnansweredLog
from core.settings import Settings

ID_NUMBER = "110101199003071234"
PHONE = "13812345678"


def test_unanswered_questions_are_masked_and_listed_newest_first(db: Database, settings: Settings) -> None:
    log = UnansweredLog(db)
    log.record(f"身份证{ID_NUMBER}能办低保吗", "no_match")
    log.record(f"手机{PHONE}", "hostile")
    items = log.list()
    assert [i["reason"] for i in items] == ["hostile", "no_match"]
    assert items[0]["question"] == "手机138****5678"
    assert ID_NUMBER not in str(items) and PHONE not in str(items)
    assert datetime.fromisoformat(items[0]["time"]).tzinfo is not None
    assert items[0]["time"].endswith("+00:00") and "." not in items[0]["time"]  # whole seconds, UTC
    assert log.list(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert len(log.list(since=datetime(2000, 1, 1))) == 2  # a naive time is taken as UTC
    assert [i["reason"] for i in log.list(limit=1)] == ["hostile"]

    replica = Database.open(settings)  # another API process sees the same log
    try:
        assert UnansweredLog(replica).list() == items
    finally:
        replica.close()


def test_feedback_is_masked_deduplicated_and_listed_newest_first(db: Database) -> None:
    log = FeedbackLog(db)
    log.record(question=f" 危房改造补多少 {PHONE} ", helpful=True, doc_ids=["a", "a", "b"], client="portal")
    log.record(question="x" * 600, helpful=False, doc_ids=[f"d{i}" for i in range(30)])
    newest, oldest = log.list()
    assert oldest == {
        "time": oldest["time"],
        "question": "危房改造补多少 138****5678",
        "helpful": True,
        "doc_ids": ["a", "b"],
        "client": "portal",
    }
    assert newest["helpful"] is False and newest["client"] is None
    assert len(newest["question"]) == 500 and len(newest["doc_ids"]) == 20
    assert log.list(limit=1) == [newest]


def _write_legacy(path: Path, entries: list[dict[str, object]], torn: str = "") -> None:
    lines = [json.dumps(e, ensure_ascii=False) for e in entries]
    path.write_text("\n".join(lines) + "\n" + torn, encoding="utf-8")


UNANSWERED_ENTRIES: list[dict[str, object]] = [
    {"time": "2026-03-01T08:00:00+00:00", "question": "明天天气怎么样", "reason": "no_match"},
    {"time": "2026-03-02T09:30:00+00:00", "question": f"我手机{PHONE}", "reason": "hostile"},
]


def test_an_old_unanswered_log_is_imported_once_and_kept_renamed(db: Database, settings: Settings) -> None:
    path = settings.data_dir / "unanswered.jsonl"
    # An entry without its fields and a torn last line (a crash mid-write) are both skipped.
    broken: list[dict[str, object]] = [UNANSWERED_ENTRIES[0], {"time": "2026-03-01T"}, UNANSWERED_ENTRIES[1]]
    _write_legacy(path, broken, torn='{"time": "2026-')
    original = path.read_bytes()

    log = UnansweredLog(db, legacy_file=path)
    assert log.list() == [
        {"time": "2026-03-02T09:30:00+00:00", "question": "我手机138****5678", "reason": "hostile"},
        {"time": "2026-03-01T08:00:00+00:00", "question": "明天天气怎么样", "reason": "no_match"},
    ]
    assert not path.exists()
    assert (settings.data_dir / "unanswered.jsonl.imported").read_bytes() == original
    log.record("新问题", "no_match")
    assert log.list(limit=1)[0]["question"] == "新问题"  # new entries come first

    UnansweredLog(db, legacy_file=path)  # the next start: nothing to import
    path.write_bytes(original)  # the same file again (a restored backup, another replica's copy)
    UnansweredLog(db, legacy_file=path)
    assert len(UnansweredLog(db).list()) == 3
    assert not path.exists()
    with db.read_session() as session:
        marker = session.scalars(select(LegacyImport)).one()
    assert (marker.name, marker.entries, marker.skipped) == ("unanswered.jsonl", 2, 2)


def test_a_claim_left_by_a_crashed_start_is_imported_on_the_next(db: Database, settings: Settings) -> None:
    path = settings.data_dir / "unanswered.jsonl"
    _write_legacy(settings.data_dir / "unanswered.jsonl.importing-0123456789abcdef", UNANSWERED_ENTRIES)
    UnansweredLog(db, legacy_file=path)
    assert len(UnansweredLog(db).list()) == 2
    assert [p.name for p in settings.data_dir.glob("unanswered.jsonl*")] == ["unanswered.jsonl.imported"]


def test_replicas_starting_at_once_import_the_file_once(db: Database, settings: Settings) -> None:
    path = settings.data_dir / "feedback.jsonl"
    entries: list[dict[str, object]] = [
        {
            "time": f"2026-03-01T08:00:{i:02d}+00:00",
            "question": f"问题{i}",
            "helpful": i % 2 == 0,
            "doc_ids": ["a"],
            "client": None,
        }
        for i in range(50)
    ]
    _write_legacy(path, entries)
    replicas = [Database.open(settings) for _ in range(4)]
    start = threading.Barrier(len(replicas))
    errors: list[BaseException] = []

    def open_log(replica: Database) -> None:
        try:
            start.wait()
            FeedbackLog(replica, legacy_file=path)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_log, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in replicas:
        r.close()
    assert errors == []
    items = FeedbackLog(db).list(limit=1000)
    assert len(items) == 50
    assert items[0] == {
        "time": "2026-03-01T08:00:49+00:00",
        "question": "问题49",
        "helpful": False,
        "doc_ids": ["a"],
        "client": None,
    }
    assert [p.name for p in settings.data_dir.glob("feedback.jsonl*")] == ["feedback.jsonl.imported"]


def test_the_same_file_claimed_twice_is_imported_once(db: Database, settings: Settings) -> None:
    # Two replicas that each claimed a copy of the same bytes (e.g. a stale claim re-claimed mid-import):
    # the marker row's key refuses the second.
    path = settings.data_dir / "feedback.jsonl"
    entry = {"time": "2026-03-01T08:00:00+00:00", "question": "q", "helpful": True, "doc_ids": []}
    _write_legacy(path, [entry])
    _write_legacy(settings.data_dir / "feedback.jsonl.importing-dead", [entry])
    FeedbackLog(db, legacy_file=path)
    assert len(FeedbackLog(db).list()) == 1
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(LegacyImport)) == 1
    names = sorted(p.name for p in settings.data_dir.glob("feedback.jsonl*"))
    assert names[0] == "feedback.jsonl.imported" and len(names) == 2  # both kept for the record
