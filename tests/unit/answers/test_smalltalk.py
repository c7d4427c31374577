"""core.answers.smalltalk: messages that ask nothing get a short reply; anything more is a question."""

from __future__ import annotations

import pytest

from core.answers import texts
from core.answers.smalltalk import reply


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("好的", texts.SMALLTALK_OK),
        ("嗯嗯", texts.SMALLTALK_OK),
        ("知道了", texts.SMALLTALK_OK),
        ("OK", texts.SMALLTALK_OK),
        ("中", texts.SMALLTALK_OK),
        ("好的，谢谢！", texts.SMALLTALK_THANKS),
        ("明白了，谢谢您", texts.SMALLTALK_THANKS),
        ("多谢了", texts.SMALLTALK_THANKS),
        ("Thank you!", texts.SMALLTALK_THANKS),
        ("在吗", texts.SMALLTALK_HELLO),
        ("您好啊", texts.SMALLTALK_HELLO),
        ("再见", texts.SMALLTALK_BYE),
        ("👍", texts.SMALLTALK_OK),
        ("🙏🙏", texts.SMALLTALK_OK),
        ("？", texts.SMALLTALK_ASK),
        ("。。。", texts.SMALLTALK_ASK),
    ],
)
def test_a_message_that_asks_nothing_gets_a_short_reply(message: str, expected: str) -> None:
    assert reply(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "谢谢 那要带啥材料",
        "好的那低保呢",
        "行不行",
        "可以申请吗",
        "你是谁",
        "低保",
        "好人好事",
        "要带什么材料",
        "",
        "  ",
    ],
)
def test_anything_more_is_a_question(message: str) -> None:
    assert reply(message) is None
