"""The bot's per-user state (bot.state): typed, persisted as the dicts older versions wrote, and read back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from telegram.ext import PersistenceInput, PicklePersistence

from bot.state import (
    MAX_RETRIES,
    Interview,
    OpenQuestion,
    Option,
    PendingAction,
    RetryKind,
    StatePersistence,
    UserState,
)

STORE = PersistenceInput(bot_data=False, chat_data=False, callback_data=False)

# A user's data exactly as the bot wrote it before it was typed: an interview with a checklist open (one item
# ticked), a binding code, and two actions a 重试 button can repeat.
OLD_CHECKLIST: dict[str, Any] = {
    "check": {
        "facts": {"household_type": "脱贫户", "age": 45},
        "asked": 2,
        "question": {
            "kind": "checklist",
            "question": "家里有没有下面这些情况？",
            "options": [
                {"label": "家里有人得了大病、慢性病", "fact": "has_serious_illness"},
                {"label": "家里有持残疾证的人", "fact": "has_disability"},
            ],
            "ticked": ["has_serious_illness"],
        },
        "message_id": 41,
        "record": False,
        "noted": False,
    },
    "bind_code": "K7M2Q9PX",
    "retry": {
        "17": {"kind": "ask", "question": "我的电话138****0001"},
        "18": {"kind": "payments", "item": None},
    },
}
# An open single-choice question keeps the API's option dicts whole (with keys the bot never read).
OLD_SINGLE: dict[str, Any] = {
    "check": {
        "facts": {},
        "asked": 1,
        "question": {
            "fact": "household_type",
            "question": "您家是哪一类户？",
            "options": [
                {"label": "脱贫户", "value": "脱贫户", "hint": "x"},
                {"label": "一般农户", "value": "一般农户"},
            ],
        },
        "message_id": 7,
        "record": None,
        "noted": False,
    }
}


def test_an_old_state_reads_as_typed_and_writes_back_in_the_same_layout() -> None:
    state = UserState.from_dict(OLD_CHECKLIST)
    interview = state.check
    assert interview is not None and interview.question is not None
    assert interview.facts == {"household_type": "脱贫户", "age": 45} and interview.asked == 2
    assert interview.message_id == 41 and interview.record is False
    question = interview.question
    assert question.checklist and question.fact is None and question.ticked == ["has_serious_illness"]
    assert (
        question.option(1) == Option("家里有持残疾证的人", fact="has_disability")
        and question.option(2) is None
    )
    assert state.bind_code == "K7M2Q9PX"
    assert state.retry == {
        "17": PendingAction(RetryKind.ASK, question="我的电话138****0001"),
        "18": PendingAction(RetryKind.PAYMENTS),
    }
    assert state.to_dict() == OLD_CHECKLIST

    single = UserState.from_dict(OLD_SINGLE)
    assert single.check is not None and single.check.question is not None
    assert single.check.question.fact == "household_type" and not single.check.question.checklist
    assert single.check.question.option(0) == Option("脱贫户", value="脱贫户")
    written = single.to_dict()["check"]["question"]
    assert written["options"][0] == {"label": "脱贫户", "value": "脱贫户"}  # what the old code read of it
    assert UserState.from_dict(single.to_dict()) == single


def test_an_empty_state_persists_as_an_empty_dict_and_unknown_actions_are_dropped() -> None:
    assert UserState().to_dict() == {}
    assert UserState.from_dict({}) == UserState()
    state = UserState.from_dict({"retry": {"1": {"kind": "teleport"}, "2": {"kind": "status"}, "3": "junk"}})
    assert state.retry == {"2": PendingAction(RetryKind.STATUS)}


def test_the_chats_conversation_id_persists_and_an_old_state_has_none() -> None:
    state = UserState.from_dict({"bind_code": "K7M2Q9PX"})
    assert state.conversation_id is None  # a state written before conversations
    state.conversation_id = "5f0c6a3e9b2d4c1a8e7f6d5c4b3a2918"
    data = state.to_dict()
    assert data == {"bind_code": "K7M2Q9PX", "conversation_id": "5f0c6a3e9b2d4c1a8e7f6d5c4b3a2918"}
    assert UserState.from_dict(data) == state


def test_a_question_from_the_api() -> None:
    number = OpenQuestion.from_api({"fact": "age", "question": "多大年纪？", "options": []})
    assert number.fact == "age" and number.options == [] and not number.checklist
    checklist = OpenQuestion.from_api(
        {"kind": "checklist", "question": "有的都选上", "options": [{"label": "吃水困难", "fact": "water"}]}
    )
    assert checklist.checklist and checklist.fact is None and checklist.options[0].fact == "water"


def test_only_the_last_failures_can_be_retried() -> None:
    state = UserState()
    for update_id in range(MAX_RETRIES + 3):
        state.remember(update_id, PendingAction(RetryKind.STATUS))
    assert list(state.retry) == [str(i) for i in range(3, MAX_RETRIES + 3)]
    state.forget(MAX_RETRIES + 2)
    assert str(MAX_RETRIES + 2) not in state.retry


def test_a_file_the_old_bot_wrote_is_read_and_written_back_as_dicts(tmp_path: Path) -> None:
    path = tmp_path / "conversations.pickle"

    async def run() -> None:
        old = PicklePersistence(path, store_data=STORE)  # what the bot used before
        await old.update_user_data(42, OLD_CHECKLIST)
        await old.update_conversation("check", (42, 42), 1)
        await old.flush()

        new = StatePersistence(path, store_data=STORE)
        loaded = await new.get_user_data()
        assert loaded == {42: UserState.from_dict(OLD_CHECKLIST)}
        assert await new.get_conversations("check") == {(42, 42): 1}
        state = loaded[42]
        state.bind_code = None
        assert state.check is not None
        state.check.facts["has_serious_illness"] = True
        await new.update_user_data(42, state)
        await new.update_user_data(43, UserState(bind_code="ABCDEFGH"))
        await new.flush()

    asyncio.run(run())
    # Plain dicts, as an older bot (after a rollback) reads them with PTB's own PicklePersistence.
    stored = asyncio.run(PicklePersistence(path, store_data=STORE).get_user_data())
    assert set(stored) == {42, 43} and all(type(v) is dict for v in stored.values())
    assert "bind_code" not in stored[42] and stored[42]["check"]["facts"]["has_serious_illness"] is True
    assert stored[43] == {"bind_code": "ABCDEFGH"}


def test_a_fresh_interview_is_what_reset_makes() -> None:
    interview = Interview(record=None)
    assert interview.to_dict() == {
        "facts": {},
        "asked": 0,
        "question": None,
        "message_id": None,
        "record": None,
        "noted": False,
    }
