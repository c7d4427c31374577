"""Hardship reports end to end (bot.flows.report, bot.flows.cases, bot.notify): a household reports with text, a
photo and a voice note; the village cadre is told and gets the morning digest; the village verifies, the township
reviews and the county decides through /cases; the household is told every step in plain words, and the decision
with what to do next. An unbound neighbour reports for a household (代报) with their own phone; an answer about
防返贫监测 offers the report. The real bot, the real API, the fake Telegram server.

`BANGFU_TEST_TRANSCRIPT=path` writes the readable transcript of the main flow to that file.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from bot import case_texts as CT
from bot import texts as T
from bot.notify import DIGEST_JOB
from core.cases.calendar import WorkingCalendar, today_in_china
from core.records.audit import CLI_ADMIN
from core.records.cases import CaseWorker
from core.records.households import Jurisdiction
from tests.bot.conftest import CADRE_PHONE, Harness, World
from tests.bot.fake_telegram import FakeUser, parse_html
from tests.bot.helpers import bind, contact_phone, shown

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 8
OGG = b"OggS\x00\x02" + bytes(200)
ADMIN = CaseWorker(actor=CLI_ADMIN, jurisdiction=Jurisdiction.county(), level=None)


def short(d: object) -> str:
    return f"{d.month}月{d.day}日"  # type: ignore[attr-defined]


def due_after(days: int) -> str:
    return short(WorkingCalendar().add_working_days(today_in_china(), days))


def bind_cadre(
    bot: Harness, world: World, user_id: int, name: str, jurisdiction: Jurisdiction, phone: str
) -> FakeUser:
    cadre = world.services.identity.create_cadre(
        name=name, phone=phone, jurisdiction=jurisdiction, actor=CLI_ADMIN
    )
    code = world.services.identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code
    user = bot.user(user_id, name)
    assert "干部账号" in shown(bind(user, code, phone)[0])
    return user


def run_job(bot: Harness, name: str) -> None:
    """Run one of the bot's scheduled jobs now, in the bot's own event loop."""
    application = bot.runner.application
    job = next(j for j in application.job_queue.jobs() if j.name == name)
    assert bot.runner.loop is not None
    asyncio.run_coroutine_threadsafe(job.run(application), bot.runner.loop).result(30)


def last_with(user: FakeUser, bot: Harness, fragment: str) -> str:
    user.wait_until(lambda sent: any(fragment in shown(m) for m in sent))
    return next(shown(m) for m in reversed(bot.fake.sent_to(user.id)) if fragment in shown(m))


def take_step(cadre: FakeUser, case_id: str, action_button: str, *choices: str, note: str) -> str:
    """/cases → 查看 → the step's button (→ its choices) → the note; returns the bot's confirmation."""
    cadre.send("/cases")  # the queue notice of the step before may arrive alongside
    cadre.wait_until(
        lambda sent: any(CT.CASE_VIEW_BUTTON.format(case_id=case_id) in cadre.buttons(m) for m in sent)
    )
    detail = cadre.press(CT.CASE_VIEW_BUTTON.format(case_id=case_id))[0]
    assert action_button in cadre.buttons(detail)
    cadre.press(action_button)
    for choice in choices:
        cadre.press(choice)
    return shown(cadre.send(note)[0])


def test_report_verify_review_decide_and_the_household_hears_every_step(bot: Harness, world: World) -> None:
    household = world.household("柳湾村", 2)
    villager = bot.user(3101, "李桂兰")
    bind(villager, world.code_for(household.household_no), household.phone)
    village = bot.user(3102, "周文斌")
    assert "干部账号" in shown(bind(village, world.cadre_code(), CADRE_PHONE)[0])
    township = bind_cadre(bot, world, 3103, "乡镇干部", Jurisdiction.of_township("青禾镇"), "13900000031")
    county = bind_cadre(bot, world, 3104, "县乡村振兴局", Jurisdiction.county(), "13900000032")
    start = len(bot.fake.transcript().splitlines())  # the transcript of the report on, binding left out

    # The household reports, step by step.
    who = villager.send("/report")[0]
    assert villager.buttons(who) == [CT.REPORT_WHO_SELF, CT.REPORT_WHO_OTHER]
    assert shown(villager.press(CT.REPORT_WHO_SELF)[0]) == CT.REPORT_CATEGORY  # the record knows the village
    assert shown(villager.press("因病")[0]) == parse_html(CT.REPORT_DESCRIBE)
    assert (
        shown(villager.send("老伴突发脑梗住院，已经花了三万多，地里的活也没人干了")[0]) == CT.REPORT_GOT_TEXT
    )
    assert "共1个附件" in shown(villager.send_photo(JPEG, caption="住院收费票据")[0])
    assert "共2个附件" in shown(villager.send_voice(OGG)[0])
    assert shown(villager.press(CT.REPORT_NEXT)[0]) == CT.REPORT_AMOUNT
    villager.press("2万到5万元")
    confirm = shown(villager.press(CT.REPORT_URGENT_YES)[0])
    assert "因病" in confirm and "附件：2个" in confirm and "2万到5万元" in confirm
    receipt = shown(villager.press(CT.REPORT_SUBMIT)[0])
    found = re.search(r"FY\d{6}-\d{4,}", receipt)
    assert found and due_after(2) in receipt, receipt
    case_id = found.group(0)
    stored = world.services.cases.case(worker=ADMIN, case_no=case_id)
    assert [a.content_type for a in stored.attachments] == ["image/jpeg", "audio/ogg"]
    assert (
        stored.household_no == household.household_no
        and stored.urgent
        and "住院收费票据" in stored.description
    )

    # The village cadre is told at once, and again in the morning digest.
    assert case_id in last_with(village, bot, "新的待办")
    run_job(bot, DIGEST_JOB)
    digest = last_with(village, bot, "早上好")
    assert case_id in digest and "1</b>件" not in digest and "等入户核实" in digest

    # Village → township → county, each through /cases; the household hears each step.
    done = take_step(
        village, case_id, CT.CASE_ACTION_BUTTONS["verify"], note="入户核实，老伴住院属实，票据已看"
    )
    assert case_id in done and "村里已核实" in done
    verified = last_with(villager, bot, "村里已经入户核实")
    assert f"最晚{due_after(5)}前审核完" in verified and "票据已看" in verified
    take_step(township, case_id, CT.CASE_ACTION_BUTTONS["review"], note=CT.CASE_NOTE_SKIP)
    assert "乡镇已经审核" in last_with(villager, bot, "乡镇已经审核")
    take_step(
        county,
        case_id,
        CT.CASE_ACTION_BUTTONS["decide"],
        "突发严重困难户",
        "🟠 橙色",
        note="因病刚性支出大，纳入监测，落实医疗救助和临时救助",
    )
    decided = last_with(villager, bot, "纳入防返贫监测")
    assert "突发严重困难户" in decided and "橙色" in decided and "因病刚性支出大" in decided
    assert CT.STEP_MEASURES_HEAD in decided and "临时救助" in decided
    mine = shown(villager.send("/myreports")[0])
    assert case_id in mine and "已纳入防返贫监测" in mine
    # Nothing of it reached the other chats; no phone number was shown.
    assert all(household.phone not in str(e.params.get("text")) for e in bot.fake.calls("sendMessage"))

    transcript = "\n".join(bot.fake.transcript().splitlines()[start:])
    if os.environ.get("BANGFU_TEST_TRANSCRIPT"):
        Path(os.environ["BANGFU_TEST_TRANSCRIPT"]).write_text(transcript + "\n", encoding="utf-8")


def test_an_unbound_neighbour_reports_for_a_household_with_their_own_phone(
    bot: Harness, world: World
) -> None:
    neighbour = bot.user(3201, "热心邻居")
    neighbour.send("/report")
    village_question = neighbour.press(CT.REPORT_WHO_SELF)[
        0
    ]  # unbound: the village is asked even for oneself
    assert "柳湾村" in neighbour.buttons(village_question)
    neighbour.send("/report")
    neighbour.press(CT.REPORT_WHO_OTHER)
    neighbour.press("柳湾村")
    neighbour.press("因灾")
    neighbour.send("隔壁王大爷家房子被大雨冲塌了一半")
    neighbour.press(CT.REPORT_NEXT)
    neighbour.press("说不清")
    neighbour.press(CT.REPORT_URGENT_YES)
    ask_phone = neighbour.press(CT.REPORT_SUBMIT)[0]
    assert shown(ask_phone) == CT.REPORT_SHARE_PHONE
    assert shown(neighbour.share_contact(contact_phone("13912345678"), user_id=9999)[0]) == T.BIND_NOT_OWN
    receipt = shown(neighbour.share_contact(contact_phone("13912345678"))[0])
    case_id = re.search(r"FY\d{6}-\d{4,}", receipt)
    assert case_id, receipt
    case = world.services.cases.case(worker=ADMIN, case_no=case_id.group(0))
    assert case.on_behalf and case.village == "柳湾村" and case.household_no is None
    assert case.reporter_phone_masked == "139****5678"
    # A second report of the same thing the same day is merged, and the reporter is told so.
    neighbour.send("/report")
    neighbour.press(CT.REPORT_WHO_OTHER)
    neighbour.press("柳湾村")
    neighbour.press("因灾")
    neighbour.send("补充：王大爷一个人住，今晚没地方睡")
    neighbour.press(CT.REPORT_NEXT)
    neighbour.press("说不清")
    neighbour.press(CT.REPORT_URGENT_YES)
    neighbour.press(CT.REPORT_SUBMIT)
    merged = shown(neighbour.share_contact(contact_phone("13912345678"))[0])
    assert case_id.group(0) in merged and "已经补充进去" in merged


def test_an_answer_about_monitoring_offers_the_report(bot: Harness, world: World) -> None:
    user = bot.user(3301)
    answer = user.send("家里有人突然得了大病花了很多钱，能申请纳入防返贫监测吗")[0]
    assert CT.REPORT_OFFER_BUTTON in user.buttons(answer)
    who = user.press(CT.REPORT_OFFER_BUTTON)[0]
    assert shown(who) == parse_html(CT.REPORT_WHO)


def test_a_returned_case_is_answered_from_the_chat_and_a_refusal_gives_its_reason(
    bot: Harness, world: World
) -> None:
    from core.records.cases import NewReport, Reporter
    from tests.helpers.records import id_of

    household = world.household("柳湾村", 3)
    villager = bot.user(3401, "张老汉")
    bind(villager, world.code_for(household.household_no), household.phone)
    reporter = Reporter(
        "telegram", str(villager.id), household_id=id_of(world.services.db, household.household_no)
    )
    case_id = world.services.cases.report(
        reporter=reporter, report=NewReport("产业失败", "养的羊得瘟病死了二十只")
    ).case.case_no
    village = bot.user(3402, "周文斌")
    bind(village, world.cadre_code(), CADRE_PHONE)
    take_step(village, case_id, CT.CASE_ACTION_BUTTONS["return"], note="请补一份兽医站的死亡证明")
    returned = last_with(villager, bot, "还需要补充材料")
    assert "兽医站的死亡证明" in returned
    asked = villager.press(CT.MORE_BUTTON.format(case_id=case_id))[0]
    assert shown(asked) == CT.MORE_ASK
    assert shown(villager.send("证明已经交给村会计了")[0]) == CT.MORE_DONE
    assert world.services.cases.case(worker=ADMIN, case_no=case_id).status == "reported"

    # The village and the township pass it on; the county refuses, and the household hears why.
    world.services.cases.act(worker=ADMIN, case_no=case_id, action="verify")
    world.services.cases.act(worker=ADMIN, case_no=case_id, action="review")
    county = bind_cadre(bot, world, 3403, "县局干部", Jurisdiction.county(), "13900000033")
    take_step(
        county, case_id, CT.CASE_ACTION_BUTTONS["reject"], note="家里还有稳定务工收入，人均收入高于监测范围"
    )
    refused = last_with(villager, bot, "不纳入")
    assert "人均收入高于监测范围" in refused and "12317" in refused
