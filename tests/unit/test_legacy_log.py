"""Reading the old JSON-lines logs: torn and foreign lines are skipped and counted, the rest kept in order."""

from __future__ import annotations

from typing import Any

from core.records.legacy import read_entries


def to_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {"question": str(entry["question"]), "n": int(entry["n"])}


def test_torn_and_foreign_lines_are_skipped_and_counted() -> None:
    raw = "\n".join(
        [
            '{"question": "危房改造", "n": 1}',
            '{"question": "低保", "n": 2',  # torn mid-file: the next append started on a fresh line
            "[1, 2]",  # valid JSON, not an entry
            '{"question": "医保"}',  # a field missing
            "",
            '{"question": "小额信贷", "n": "3"}',
            '{"question": "教育',  # torn last line
        ]
    ).encode()
    rows, skipped = read_entries(raw, to_row)
    assert rows == [{"question": "危房改造", "n": 1}, {"question": "小额信贷", "n": 3}]
    assert skipped == 4


def test_bytes_that_are_not_utf8_do_not_stop_the_import() -> None:
    raw = '{"question": "好", "n": 1}\n'.encode() + b'{"question": "\xff\xfe", "n": 2}\n'
    rows, skipped = read_entries(raw, to_row)
    assert [r["n"] for r in rows] == [1, 2] and skipped == 0
