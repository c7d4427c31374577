"""Conversation state in the records database (SQLite and PostgreSQL): one read and one write per turn,
masked questions, expiry after idle time and the purge of expired rows."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from core.records.conversations import Conversation, ConversationLog
from core.records.db import Database


def _rows(db: Database) -> int:
    with db.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Conversation)) or 0)


def test_a_conversation_is_saved_updated_and_read_back(db: Database) -> None:
    log = ConversationLog(db, ttl=60)
    cid = "a" * 32
    assert log.load(cid) is None
    log.save(cid, {"questions": ["小额信贷怎么申请"], "doc_ids": ["credit"]}, new=True)
    log.save(cid, {"questions": ["小额信贷怎么申请", "要带什么材料"], "doc_ids": ["credit"]}, new=False)
    assert log.load(cid) == {"questions": ["小额信贷怎么申请", "要带什么材料"], "doc_ids": ["credit"]}
    assert _rows(db) == 1
    # A row gone between a turn's read and its write (purged) is written again rather than lost.
    log.save("b" * 32, {"questions": ["x"]}, new=False)
    assert log.load("b" * 32) == {"questions": ["x"]}


def test_id_and_phone_numbers_are_masked_in_everything_stored(db: Database) -> None:
    log = ConversationLog(db, ttl=60)
    log.save(
        "c" * 32,
        {
            "questions": ["身份证110101199003071234能贷款吗"],
            "query": "电话13812345678",
            "topic": ["13812345678"],
        },
        new=True,
    )
    state = log.load("c" * 32)
    assert state is not None
    assert "110101199003071234" not in repr(state) and "13812345678" not in repr(state)
    assert state["query"] == "电话138****5678"


def test_a_conversation_expires_after_idle_time_and_expired_rows_are_purged(db: Database) -> None:
    log = ConversationLog(db, ttl=0.5)
    log.save("d" * 32, {"questions": ["q"]}, new=True)
    assert log.load("d" * 32) is not None
    time.sleep(0.7)
    assert log.load("d" * 32) is None  # idle past the TTL: unknown from now on
    log.save("e" * 32, {"questions": ["q"]}, new=True)  # a new conversation purges the expired ones
    assert _rows(db) == 1 and log.load("e" * 32) is not None
