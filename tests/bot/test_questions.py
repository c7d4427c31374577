"""Questions (bot.flows.questions): an answer the policies do not cover, and the feedback endpoint behind 有用/没用."""

from __future__ import annotations

import httpx

from bot import texts as T
from core.answers.texts import SMALLTALK_THANKS
from tests.bot.conftest import Harness, World
from tests.bot.helpers import shown


def test_a_question_the_policies_do_not_cover_says_whom_to_ask(bot: Harness) -> None:
    user = bot.user(3201)
    reply = user.send("火星上能种土豆吗")[0]
    assert "帮扶责任人" in shown(reply) and T.ABSTAIN_HINT in shown(reply)
    assert not [b for b in user.buttons(reply) if b.startswith("查看原文") or b == T.FEEDBACK_YES]


def test_thanks_get_a_short_reply_without_sources_or_feedback_buttons(bot: Harness) -> None:
    user = bot.user(3202)
    reply = user.send("好的，谢谢！")[0]
    assert shown(reply) == SMALLTALK_THANKS
    assert not [b for b in user.buttons(reply) if b.startswith("查看原文") or b == T.FEEDBACK_YES]


def test_the_feedback_endpoint(api_url: str, world: World) -> None:
    ok = httpx.post(f"{api_url}/v1/feedback", json={"question": "我的电话13800000001", "helpful": False})
    assert ok.status_code == 204 and ok.content == b""
    assert world.services.feedback.list(limit=1)[0]["question"] == "我的电话138****0001"
    too_long = httpx.post(f"{api_url}/v1/feedback", json={"question": "问" * 501, "helpful": True})
    assert too_long.status_code == 422 and set(too_long.json()) == {"error", "detail"}
