"""What the bot tests share: what a user sees, a binding, answers to the /check interview."""

from __future__ import annotations

from typing import Any

from bot import texts as T
from tests.bot.conftest import World
from tests.bot.fake_telegram import FakeUser, parse_html


def shown(message: dict[str, Any]) -> str:
    """What the user sees: the message's HTML parsed as Telegram does."""
    return parse_html(message["text"])


def contact_phone(phone: str) -> str:
    return "86" + phone  # how Telegram reports a Chinese number in a shared contact


def assert_unbound(world: World, user: FakeUser) -> None:
    assert world.services.identity.resolve(channel="telegram", chat_user_id=str(user.id)) is None


def bind(user: FakeUser, code: str, phone: str) -> list[dict[str, Any]]:
    """/bind, the code, then the user's own contact; returns the final reply."""
    assert shown(user.send("/bind")[0]) == parse_html(T.BIND_ASK_CODE)
    assert shown(user.send(code)[0]) == parse_html(T.BIND_ASK_PHONE)
    return user.share_contact(contact_phone(phone))


ANSWERS = {"哪一类户": "脱贫户", "安全等级": "C级", "多大年纪": "18–59岁"}


def choose(question: str, labels: list[str]) -> str:
    for fragment, label in ANSWERS.items():
        if fragment in question:
            return label
    return "否" if "否" in labels else labels[0]
