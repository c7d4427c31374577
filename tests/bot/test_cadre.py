"""Cadres (bot.flows.cadre): search, view, issue a code that a villager then binds with; jurisdiction enforced."""

from __future__ import annotations

import re
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
