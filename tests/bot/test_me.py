"""My household (bot.flows.me): /status needs a binding and shows only the bound household; /payments, /unbind;
a reply over 4,096 characters is split.
"""

from __future__ import annotations

import httpx

from bot import render
from bot import texts as T
from bot.__main__ import channel_key
from tests.bot.conftest import LONG_PAYMENTS, Harness, World
from tests.bot.fake_telegram import utf16_len
from tests.bot.helpers import bind, shown


def test_status_needs_a_binding_and_shows_only_the_bound_household(
    bot: Harness, world: World, api_url: str
) -> None:
    stranger = bot.user(2401)
    assert shown(stranger.send("/status")[0]) == T.NOT_BOUND
    assert shown(stranger.send("/payments")[0]) == T.NOT_BOUND

    household = world.household("白沙村", 0)
    villager = bot.user(2402)
    bind(villager, world.code_for(household.household_no), household.phone)
    status = shown(villager.send("/status")[0])
    assert household.household_no in status
    assert all(h.household_no not in status for h in world.households if h is not household)
    payments = shown(villager.send("/payments")[0])
    headers = {"Authorization": f"Bearer {channel_key(bot.settings)}", "X-Chat-User-Id": str(villager.id)}
    assert payments == httpx.get(f"{api_url}/v1/me/payments", headers=headers).json()["summary"]
    assert shown(villager.send("/payments 鸡苗补助")[0]).startswith("没有查到“鸡苗补助”")

    # /unbind asks first, then unbinds; /status is refused again.
    confirm = villager.send("/unbind")[0]
    assert villager.buttons(confirm) == [T.UNBIND_YES, T.UNBIND_NO]
    assert shown(villager.press(T.UNBIND_YES)[0]) == T.UNBIND_OK
    assert shown(villager.send("/status")[0]) == T.NOT_BOUND


def test_a_reply_over_4096_characters_is_split(bot: Harness, world: World) -> None:
    household = next(h for h in world.households if h.household_no == world.long_household)
    user = bot.user(2501)
    bind(user, world.code_for(household.household_no), household.phone)
    before = len(bot.fake.sent_to(user.id))
    user.send("/payments", replies=2)
    oldest = render.format_date("2012-01-15")
    user.wait_until(lambda sent: oldest in shown(sent[-1]))
    parts = bot.fake.sent_to(user.id)[before:]
    texts = [shown(m) for m in parts]  # the fake refuses, like Telegram, text over 4,096 or broken HTML
    assert len(texts) >= 2 and all(utf16_len(t) <= 4096 for t in texts)
    assert sum(len(t) for t in texts) > 4096
    lines = [line for t in texts for line in t.splitlines() if line.endswith("元（一卡通）")]
    assert len(lines) == LONG_PAYMENTS
    assert all(m["text"].count("<b>") == m["text"].count("</b>") for m in parts)
