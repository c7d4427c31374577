"""What every user meets (bot.flows.common, bot.ratelimit): an API outage with 重试, Telegram's flood control,
the per-user rate limit, and no household data in group chats.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot import texts as T
from tests.bot.conftest import Harness, World, serve_api
from tests.bot.helpers import shown
from tests.conftest import free_port


def test_api_outage_gets_a_friendly_reply_and_a_retry(
    harness_factory: Callable[..., Harness], world: World
) -> None:
    port = free_port()
    harness = harness_factory(f"http://127.0.0.1:{port}")  # nothing listens there yet
    user = harness.user(2701)
    down = user.send("小额信贷怎么申请")[0]
    assert shown(down) == T.API_DOWN and user.buttons(down) == [T.RETRY_BUTTON]
    assert shown(user.send("/status")[0]) == T.API_DOWN
    server = serve_api(world.services, port)
    try:
        answer = user.press(T.RETRY_BUTTON, message=down)[0]  # the question, not the later /status
        assert "小额信贷" in shown(answer) and "[1]" in shown(answer)
        assert "查看原文[1]" in user.buttons(answer)
    finally:
        server.stop()
    assert "Traceback" not in harness.fake.transcript()


def test_telegram_flood_control_is_honoured(bot: Harness) -> None:
    user = bot.user(2801)
    bot.fake.fail_next("sendMessage", retry_after=1)
    reply = user.send("/help")[0]
    assert shown(reply).startswith("怎么用帮扶通")
    attempts = [e for e in bot.fake.calls("sendMessage") if e.params.get("chat_id") == user.id]
    assert [a.error is not None for a in attempts] == [True, False]
    assert attempts[1].at - attempts[0].at >= 1.0


def test_a_user_over_the_rate_limit_gets_one_polite_reply(
    harness_factory: Callable[..., Harness], api_url: str
) -> None:
    harness = harness_factory(api_url, rate_limit=(3, 60.0))
    user, other = harness.user(2901), harness.user(2902)
    for _ in range(3):
        assert shown(user.send("/help")[0]).startswith("怎么用帮扶通")
    assert shown(user.send("/help")[0]) == T.SLOW_DOWN
    harness.fake.push({"message": user._message(text="还在吗")})
    assert shown(other.send("/help")[0]).startswith("怎么用帮扶通")  # others are not held up
    time.sleep(0.3)
    assert [shown(m) for m in harness.fake.sent_to(user.id)][-1] == T.SLOW_DOWN  # then silence


def test_group_chats_get_no_household_data(bot: Harness) -> None:
    user = bot.user(3001)
    group = {"id": -100123, "type": "supergroup", "title": "柳湾村群"}
    message = {**user._message(text="/status"), "chat": group}
    message["entities"] = [{"type": "bot_command", "offset": 0, "length": 7}]
    bot.fake.push({"message": message})
    bot.fake.wait_for(lambda: bool(bot.fake.sent_to(-100123)), what="the group reply")
    assert [shown(m) for m in bot.fake.sent_to(-100123)] == [T.PRIVATE_ONLY]
