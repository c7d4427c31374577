"""The /check interview (bot.flows.check): a checklist ticked and submitted, a stale button refused, and a bound
household not asked what its record says (while unbound users and cadres are asked everything).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot import texts as T
from tests.bot.conftest import CADRE_PHONE, Harness, World
from tests.bot.fake_telegram import FakeUser
from tests.bot.helpers import bind, choose, shown


def test_a_checklist_toggles_and_submits_what_is_ticked(bot: Harness) -> None:
    user = bot.user(2051)
    _, question = user.send("/check", replies=2)
    stage = user.press("脱贫户", message=question)[-1]
    assert "哪一段学" in shown(stage)  # before the checklist, so a 中职/高职 follow-up could join it
    checklist = user.press("不在读", message=stage)[-1]
    items = [b for b in user.buttons(checklist) if b.startswith("☐ ")]
    assert len(items) >= 2 and shown(checklist).endswith("有的都选上，都没有就直接点“选好了”。")
    disability = T.CHECK_UNTICKED.format(label="家里有持残疾证的人")
    water = T.CHECK_UNTICKED.format(label="吃水有困难（水不够、水质差、取水远）")
    assert {disability, water} <= set(items)
    for label in (disability, water, T.CHECK_TICKED.format(label="吃水有困难（水不够、水质差、取水远）")):
        user.press(label, replies=0, message=checklist)  # tick, tick, untick: no new message
    now = user.buttons(bot.fake.messages[(user.id, checklist["message_id"])])
    assert T.CHECK_TICKED.format(label="家里有持残疾证的人") in now and water in now
    assert len(now) == len(user.buttons(checklist))
    following = user.press(T.CHECK_DONE, message=checklist)[-1]
    answered = shown(bot.fake.messages[(user.id, checklist["message_id"])])
    assert answered.endswith("✓ 家里有持残疾证的人")

    # A button of the answered checklist (forged, as its keyboard is gone) is refused, not applied twice.
    stale = {
        "id": "stale-1",
        "from": user.tg_user,
        "chat_instance": f"ci{user.id}",
        "data": "ck:t:0",
        "message": bot.fake.messages[(user.id, checklist["message_id"])],
    }
    bot.fake.push({"callback_query": stale})
    bot.fake.wait_for(
        lambda: any(
            e.params.get("callback_query_id") == "stale-1" for e in bot.fake.calls("answerCallbackQuery")
        ),
        what="the stale button's answer",
    )
    refusal = next(
        e for e in bot.fake.calls("answerCallbackQuery") if e.params.get("callback_query_id") == "stale-1"
    )
    assert refusal.params["text"] == T.CHECK_EXPIRED

    # 持证 alone is not enough for the care subsidy: the follow-up (一级或二级, 长期照护) comes once 残疾 is ticked.
    severe = T.CHECK_UNTICKED.format(label="有一级或二级重度残疾人，需要长期照护")
    while severe not in user.buttons(following):
        assert T.CHECK_STOP in user.buttons(following), "the follow-up was never asked"
        buttons = user.buttons(following)
        label = T.CHECK_DONE if T.CHECK_DONE in buttons else choose(shown(following), buttons[:-1])
        following = user.press(label, message=following)[-1]
    user.press(severe, replies=0, message=following)
    following = user.press(T.CHECK_DONE, message=following)[-1]
    user.press(T.CHECK_STOP, message=following)
    user.wait_until(lambda sent: T.CHECK_FOOTER in shown(sent[-1]))
    result = shown(user.fake.sent_to(user.id)[-1])
    eligible = re.split("还要再确认|暂不符合", result.split("可以申请（")[1])[0]
    assert "重度残疾人护理补贴：可以申请，每月90元" in eligible  # what it gives, from the API's amount_value
    assert "农村供水故障报修和应急送水" not in result.split("暂不符合")[0]  # 吃水 was unticked: false


MONITORED_ANSWERS = {"哪一类户": "监测户", "哪一类监测对象": "边缘易致贫户"}


def interview(user: FakeUser, question: dict[str, Any]) -> list[str]:
    """Answer every question the same way (the 石桥村 household's type, checklists left empty); the questions."""
    asked = []
    while T.CHECK_STOP in user.buttons(question):
        text, buttons = shown(question), user.buttons(question)
        asked.append(text)
        if T.CHECK_DONE in buttons:
            label = T.CHECK_DONE
        else:
            labels = [b for b in buttons if b != T.CHECK_STOP]
            label = next((a for f, a in MONITORED_ANSWERS.items() if f in text), None) or choose(text, labels)
        question = user.press(label, message=question)[-1]
    user.wait_until(lambda sent: T.CHECK_FOOTER in shown(sent[-1]))
    return asked


def test_a_bound_household_is_not_asked_what_its_record_says(bot: Harness, world: World) -> None:
    household = world.household("石桥村", 0)
    assert (household.household_type, household.monitoring_type) == ("监测户", "边缘易致贫户")

    # Unbound, and bound to a cadre account: the public screening, every question asked.
    stranger = bot.user(2061)
    intro, first = stranger.send("/check", replies=2)
    assert shown(intro) == T.CHECK_INTRO and "哪一类户" in shown(first)
    unbound = interview(stranger, first)
    assert "根据您的回答，仅供参考" in shown(stranger.fake.sent_to(stranger.id)[-1])
    cadre = bot.user(2062)
    bind(cadre, world.cadre_code(), CADRE_PHONE)
    assert "哪一类户" in shown(cadre.send("/check", replies=2)[-1])

    # Bound to the household: the record's facts are shown first and not asked again.
    villager = bot.user(2063)
    bind(villager, world.code_for(household.household_no), household.phone)
    intro, note, first = villager.send("/check", replies=3)
    assert shown(intro) == T.CHECK_INTRO
    assert shown(note).startswith("📋 按您家档案，已知：户类型是监测户、监测对象类型是边缘易致贫户；")
    assert "档案截至2024年6月30日" in shown(note) and villager.buttons(note) == [T.CHECK_FRESH_BUTTON]
    for value in (household.phone, household.head_name):
        assert value not in shown(note)
    bound = interview(villager, first)
    assert len(bound) < len(unbound)
    assert not [q for q in bound if "哪一类户" in q or "哪一类监测对象" in q]
    result = shown(villager.fake.sent_to(villager.id)[-1])
    assert "根据您的回答和您家档案" in result and "查资格结果" in result
    with world.services.db.read_session() as session:
        from core.records.audit import AuditRecord

        reads = session.scalars(
            select(AuditRecord).where(
                AuditRecord.household_no == household.household_no, AuditRecord.action == "eligibility"
            )
        ).all()
    assert len(reads) == len(bound) + 1 and {r.actor for r in reads} == {f"chat:{villager.id}"}

    # 档案不对，我自己回答: the interview starts again without the record.
    fresh, question = villager.press(T.CHECK_FRESH_BUTTON, replies=2, message=note)
    assert shown(fresh) == T.CHECK_FRESH and "哪一类户" in shown(question)
