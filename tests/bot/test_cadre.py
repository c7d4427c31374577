"""Cadres (bot.flows.cadre): search, view, issue a code that a villager then binds with; jurisdiction enforced."""

from __future__ import annotations

import re
import time
from pathlib import Path

from bot import render
from bot import texts as T
from tests.bot.conftest import CADRE_PHONE, Harness, World
from tests.bot.helpers import bind, shown


def test_a_cadre_searches_views_and_issues_a_code_that_a_villager_binds_with(
    bot: Harness, world: World
) -> None:
    from ingest.households import read_batch

    cadre = bot.user(2601, "周文斌")
    assert shown(cadre.send("/search 王海燕")[0]) == T.CADRE_ONLY  # not bound yet
    bound = shown(bind(cadre, world.cadre_code(), CADRE_PHONE)[0])
    assert "干部账号" in bound and "青禾镇柳湾村" in bound
    scoped = [k for k in bot.fake.commands if str(cadre.id) in k]
    assert scoped and {c["command"] for c in bot.fake.commands[scoped[0]]} >= {"search", "code"}

    target = world.household("柳湾村", 1)
    found = cadre.send(f"/search {target.head_name}")[0]
    assert target.household_no in shown(found)
    assert shown(cadre.send("/search 张志强")[0]) == render.fmt(T.SEARCH_NONE, query="张志强")  # 白沙村

    view = cadre.press(T.VIEW_BUTTON.format(household_no=target.household_no))[0]
    text = shown(view)
    members = [
        m for m in read_batch(Path(__file__).resolve().parents[2] / "examples" / "households.xlsx").members
    ]
    own = [m for m in members if m.household_no == target.household_no]
    assert own and all(m.name in text for m in own)
    assert all(
        m.id_number not in text and (m.id_number[:3] + "*" * 11 + m.id_number[-4:]) in text for m in own
    )
    assert target.phone not in text

    issued = shown(cadre.press(T.CODE_BUTTON)[0])
    code = re.search(r"绑定码：([A-Z0-9]{8})", issued)
    assert code and target.household_no in issued
    villager = bot.user(2602)
    assert target.household_no in shown(bind(villager, code.group(1), target.phone)[0])
    assert shown(cadre.send("/household 99009999999999")[0]) == T.HOUSEHOLD_NOT_FOUND
    assert shown(cadre.send("/household 户号一二")[0]) == T.HOUSEHOLD_NOT_FOUND


def test_workbench_gives_a_bound_cadre_a_single_use_sign_in_link(bot: Harness, world: World) -> None:
    stranger = bot.user(2611)
    assert shown(stranger.send("/workbench")[0]) == T.CADRE_ONLY
    cadre = bot.user(2612, "周文斌")
    bind(cadre, world.cadre_code(), CADRE_PHONE)
    scoped = [k for k in bot.fake.commands if str(cadre.id) in k]
    assert "workbench" in {c["command"] for c in bot.fake.commands[scoped[-1]]}
    reply = shown(cadre.send("/workbench")[0])
    found = re.search(r"(http://\S+/workbench/signin\?token=[\w-]+)", reply)
    assert found and "10分钟" in reply
    token = found.group(1).split("token=")[1]
    opened = world.services.staff.redeem_link(token)  # what the browser's sign-in does
    staff = world.services.staff.resolve(opened.token)
    assert staff is not None and staff.kind == "cadre" and staff.jurisdiction.label() == "青禾镇柳湾村"


def test_a_vote_carries_the_answer_and_the_voters_village(bot: Harness, world: World) -> None:
    villager = bot.user(2621)
    target = world.household("柳湾村", 2)
    assert target.phone is not None
    bind(villager, world.code_for(target.household_no), target.phone)
    villager.send("我家房子漏雨能修吗")
    villager.press(T.FEEDBACK_NO, replies=0)
    from core.records.households import Jurisdiction

    scope = Jurisdiction.of_village("青禾镇", "柳湾村")
    deadline = time.monotonic() + 10
    while not (votes := world.services.feedback.review(scope=scope)) and time.monotonic() < deadline:
        time.sleep(0.1)  # the bot records the vote after it answers the button press
    assert votes and votes[0].question == "我家房子漏雨能修吗" and votes[0].place == "柳湾村"
    assert votes[0].answer and "[1]" in votes[0].answer
