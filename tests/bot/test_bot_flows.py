"""The Telegram bot end to end: the real `Application` polling a fake Telegram Bot API server over HTTP, and
talking to the real API (real corpus, real household records) over HTTP.

Every flow of issue 6 is driven as a villager or a cadre would: /start, a question with citations and
查看原文, the /check interview (with a restart in the middle; for a bound household, without the questions its
record answers), /bind with a code and a contact (someone else's contact, wrong codes until lockout, used and
expired codes), /status showing only the bound household, an API outage with 重试, a reply over 4,096
characters, Telegram's flood control, and the per-user rate limit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from bot import render
from bot import texts as T
from bot.__main__ import (
    SECRET_HEADER,
    BotSettings,
    channel_key,
    configure_logging,
    run_webhook,
    webhook_app,
    webhook_server,
)
from bot.api_client import ApiClient, ApiUnavailable, Forbidden, InvalidInput, NotBound, RateLimited
from bot.app import build_application
from tests.bot.conftest import CADRE_PHONE, LONG_PAYMENTS, TOKEN, Harness, World, serve_api
from tests.bot.fake_telegram import FakeTelegram, FakeUser, parse_html, utf16_len
from tests.conftest import free_port, make_settings


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


# -- the full session ------------------------------------------------------------------------------------------------
ANSWERS = {"哪一类户": "脱贫户", "安全等级": "C级", "多大年纪": "18–59岁"}
ILLNESS = T.CHECK_UNTICKED.format(label="家里有人得了大病、慢性病")
TICKED_ILLNESS = T.CHECK_TICKED.format(label="家里有人得了大病、慢性病")


def choose(question: str, labels: list[str]) -> str:
    for fragment, label in ANSWERS.items():
        if fragment in question:
            return label
    return "否" if "否" in labels else labels[0]


def test_a_full_session_start_question_source_check_bind_status(
    bot: Harness, world: World, api_url: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    configure_logging(TOKEN)
    caplog.set_level(logging.INFO)
    household = world.household("柳湾村", 0)
    user = bot.user(2001, "王海燕")

    # /start: what the bot does, the privacy notice, four buttons; the command menu is set.
    start = user.send("/start")[0]
    assert "隐私说明" in shown(start)
    assert user.buttons(start) == [T.MENU_ASK, T.MENU_CHECK, T.MENU_ME, T.MENU_HELP]
    menu = bot.fake.commands['{"type": "default"}']
    assert {c["command"] for c in menu} >= {
        "start",
        "check",
        "bind",
        "status",
        "payments",
        "helper",
        "unbind",
    }

    # A question: the cited answer with [n] markers, 查看原文 per citation, the measure card, feedback.
    answer = user.send("我家房子漏雨能修吗")[0]
    text, buttons = shown(answer), user.buttons(answer)
    assert "[1]" in text and "青政办〔2023〕12号" in text
    assert "查看原文[1]" in buttons and T.FEEDBACK_YES in buttons
    assert any(b.startswith("办理指南：") and "危房" in b for b in buttons)

    # 查看原文: the passage, verbatim from the document, with its title and 文号.
    passage = shown(user.press("查看原文[1]")[0])
    assert "文号：青政办〔2023〕12号" in passage and "条款：" in passage
    document = httpx.get(f"{api_url}/v1/documents/qinghe-housing-safety-2023").json()
    quoted = passage.split("\n\n", 1)[1].strip()
    assert quoted and quoted in document["text"]
    assert document["title"] in passage

    # 办理指南: the measure card.
    card = shown(user.press(next(b for b in buttons if b.startswith("办理指南：") and "C级" in b))[0])
    assert "怎么办：" in card and "带什么：" in card and "0550-7012345" in card

    # 有用: recorded through the API; the feedback buttons go away.
    before = len(world.services.feedback.list())
    user.press(T.FEEDBACK_YES, replies=0)
    bot.fake.wait_for(lambda: len(world.services.feedback.list()) == before + 1, what="the feedback")
    vote = world.services.feedback.list(limit=1)[0]
    assert vote["helpful"] is True and "qinghe-housing-safety-2023" in vote["doc_ids"]
    assert vote["question"] == "我家房子漏雨能修吗"
    assert T.FEEDBACK_YES not in user.buttons(bot.fake.messages[(user.id, answer["message_id"])])

    # /check: the interview driven by next_question, answered with buttons, surviving a restart midway. Yes/no
    # facts come as a checklist: one ☐ toggle per item, then 选好了.
    intro, question = user.send("/check", replies=2)
    assert shown(intro) == T.CHECK_INTRO
    answered, checklists = 0, 0
    while T.CHECK_STOP in user.buttons(question):
        buttons = user.buttons(question)
        if T.CHECK_DONE in buttons:
            checklists += 1
            assert buttons[-2:] == [T.CHECK_DONE, T.CHECK_STOP]
            assert all(b.startswith("☐ ") for b in buttons[:-2])
            assert all(
                len(b["callback_data"].encode()) <= 64
                for row in question["markup"]["inline_keyboard"]
                for b in row
            )
            if ILLNESS in buttons:
                user.press(ILLNESS, replies=0, message=question)
                now = bot.fake.messages[(user.id, question["message_id"])]
                assert TICKED_ILLNESS in user.buttons(now)  # the keyboard was edited in place
                bot.restart()  # the ticks are persisted with the interview; 选好了 still sends them
            replies = user.press(T.CHECK_DONE, message=question)
        else:
            labels = [b for b in buttons if b != T.CHECK_STOP]
            replies = user.press(choose(shown(question), labels), message=question)
        answered += 1
        question = replies[-1]
    user.wait_until(lambda sent: T.CHECK_FOOTER in shown(sent[-1]))
    result = "\n".join(shown(m) for m in user.fake.sent_to(user.id)[-3:])
    assert 3 <= answered <= 8 and checklists >= 1 and "查资格结果" in result
    eligible = result.split("可以申请")[1].split("暂不符合")[0]
    assert "C级危房维修加固补助" in eligible and "住房经住建部门鉴定为C级局部危房" in eligible
    assert "慢性病患者家庭医生签约和门诊慢特病保障" in eligible  # the ticked 大病 item
    edited = [e for e in bot.fake.calls("editMessageText") if "✓ 脱贫户" in e.params["text"]]
    assert edited, "an answered question shows the answer given"
    ticked = [
        e for e in bot.fake.calls("editMessageText") if "✓ 家里有人得了大病、慢性病" in e.params["text"]
    ]
    assert ticked, "an answered checklist shows the items ticked"

    # /bind: the code, then the phone through a request_contact button.
    code = world.code_for(household.household_no)
    ask_code = user.send("/bind")[0]
    assert "绑定码" in shown(ask_code)
    ask_phone = user.send(code.lower())[0]
    button = ask_phone["markup"]["keyboard"][0][0]
    assert button == {"text": T.BIND_SHARE_BUTTON, "request_contact": True}
    bound = user.share_contact(contact_phone(household.phone))[0]
    assert household.household_no in shown(bound) and "绑定成功" in shown(bound)

    # /status: the bound household only.
    status = shown(user.send("/status")[0])
    assert household.household_no in status and "帮扶责任人" in status
    for other in world.households:
        if other.household_no != household.household_no:
            assert other.household_no not in status and other.head_name not in status
    helper = shown(user.press(T.ME_BUTTONS_HELPER)[0])
    assert household.helper_name in helper

    transcript = bot.fake.transcript()
    (tmp_path / "transcript.txt").write_text(transcript, encoding="utf-8")
    if os.environ.get("BANGFU_TEST_TRANSCRIPT"):
        Path(os.environ["BANGFU_TEST_TRANSCRIPT"]).write_text(transcript, encoding="utf-8")
    # Nothing logged carries the token, the phone number or the binding code.
    logged = caplog.text
    assert TOKEN.split(":")[1] not in logged and household.phone not in logged and code not in logged
    assert not [r for r in caplog.records if r.name.startswith("httpx")]  # its request lines carry the token
    assert any(r.name.startswith("bot") for r in caplog.records)


def test_a_checklist_toggles_and_submits_what_is_ticked(bot: Harness) -> None:
    user = bot.user(2051)
    _, question = user.send("/check", replies=2)
    checklist = user.press("脱贫户", message=question)[-1]
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

    user.press(T.CHECK_STOP, message=following)
    user.wait_until(lambda sent: T.CHECK_FOOTER in shown(sent[-1]))
    result = shown(user.fake.sent_to(user.id)[-1])
    eligible = re.split("还要再确认|暂不符合", result.split("可以申请")[1])[0]
    assert "重度残疾人护理补贴" in eligible
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


# -- binding refusals ---------------------------------------------------------------------------------------------------
def test_bind_accepts_only_the_senders_own_contact(bot: Harness, world: World) -> None:
    household = world.household("青禾村", 0)
    user = bot.user(2101)
    code = world.code_for(household.household_no)
    user.send("/bind")
    user.send(code)
    refused = user.share_contact(contact_phone(household.phone), user_id=999999)[0]
    assert shown(refused) == T.BIND_NOT_OWN
    assert refused["markup"]["keyboard"][0][0]["request_contact"] is True
    assert_unbound(world, user)
    typed = user.send(household.phone)[0]  # a typed number proves nothing either
    assert shown(typed) == T.BIND_PRESS_BUTTON
    # The refusals never reached the API: the code is still good for the owner's own contact.
    bound = user.share_contact(contact_phone(household.phone))[0]
    assert household.household_no in shown(bound)


def test_wrong_codes_until_lockout(bot: Harness, world: World) -> None:
    user = bot.user(2201)
    phone = world.household("青禾村", 3).phone
    user.send("/bind")
    assert shown(user.send("ABC")[0]) == T.BIND_CODE_FORMAT  # a typo costs no attempt
    for attempt in range(5):
        user.send(f"ZZZZ234{attempt}")
        assert shown(user.share_contact(contact_phone(phone))[0]) == T.BIND_NO_MATCH
    user.send("ZZZZ2349")
    locked = shown(user.share_contact(contact_phone(phone))[0])
    assert locked == render.fmt(T.BIND_LOCKED, minutes=60)
    assert_unbound(world, user)


def test_used_and_expired_codes_get_their_own_reply(bot: Harness, world: World) -> None:
    from core.records.db import utcnow
    from core.records.households import Household
    from core.records.identity import BindingCode

    used_for, expired_for = world.household("青禾村", 1), world.household("青禾村", 2)
    code = world.code_for(used_for.household_no)
    first = bot.user(2301)
    assert used_for.household_no in shown(bind(first, code, used_for.phone)[0])
    second = bot.user(2302)
    assert shown(bind(second, code, used_for.phone)[0]) == T.BIND_CODE_DEAD

    old = world.code_for(expired_for.household_no)
    with world.services.db.session() as session:
        household_id = session.scalar(
            select(Household.id).where(Household.household_no == expired_for.household_no)
        )
        session.execute(
            update(BindingCode)
            .where(BindingCode.household_id == household_id)
            .values(expires_at=utcnow() - timedelta(hours=1))
        )
    assert shown(bind(second, old, expired_for.phone)[0]) == T.BIND_CODE_DEAD
    assert_unbound(world, second)


# -- my household ------------------------------------------------------------------------------------------------------
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


# -- cadres --------------------------------------------------------------------------------------------------------------
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


# -- robustness ------------------------------------------------------------------------------------------------------------
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


def test_the_webhook_checks_the_secret_token(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", telegram_token=TOKEN)
    application = build_application(
        settings, ApiClient("http://127.0.0.1:9", None), persistence_path=tmp_path / "s"
    )
    app = webhook_app(application, "s3cret-s3cret-s3cret", "/telegram")
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"},
    }
    with TestClient(app) as client:
        assert client.post("/telegram", json=update).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-s3cret-s3creT"}
        assert client.post("/telegram", json=update, headers=wrong).status_code == 403
        assert application.update_queue.qsize() == 0
        right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-s3cret-s3cret"}
        assert client.post("/telegram", json=update, headers=right).status_code == 200
        assert application.update_queue.qsize() == 1


def test_webhook_mode_registers_its_secret_and_answers_updates(
    tmp_path: Path, bot_data_dir: Path, api_url: str
) -> None:
    fake = FakeTelegram(TOKEN).start()
    port = free_port()
    settings = BotSettings(
        data_dir=bot_data_dir,
        telegram_token=TOKEN,
        telegram_api_url=fake.base_url,
        api_url=api_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram",
        telegram_webhook_port=port,
    )
    application = build_application(
        settings, ApiClient(api_url, channel_key(settings)), persistence_path=tmp_path / "state.pickle"
    )
    server = webhook_server(application, settings)
    thread = threading.Thread(target=lambda: asyncio.run(run_webhook(application, settings, server)))
    thread.start()
    try:
        fake.wait_for(lambda: bool(server.started), what="the webhook server")
        registered = fake.calls("setWebhook")[0].params
        secret = settings.dev_secret("telegram_webhook_secret")
        assert registered["url"] == settings.telegram_webhook_url and registered["secret_token"] == secret
        user = fake.user(3101)
        update = {"update_id": 1, "message": {**user._message(text="/help"), "entities": []}}
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
        url = settings.telegram_webhook_url
        assert httpx.post(url, json=update, headers={SECRET_HEADER: secret[:-1] + "x"}).status_code == 403
        assert httpx.post(url, json=update, headers={SECRET_HEADER: secret}).status_code == 200
        fake.wait_for(lambda: bool(fake.sent_to(user.id)), what="the reply to a webhook update")
        assert shown(fake.sent_to(user.id)[0]).startswith("怎么用帮扶通")
    finally:
        server.should_exit = True
        thread.join(30)
        fake.stop()
    assert not thread.is_alive()


def test_the_feedback_endpoint(api_url: str, world: World) -> None:
    ok = httpx.post(f"{api_url}/v1/feedback", json={"question": "我的电话13800000001", "helpful": False})
    assert ok.status_code == 204 and ok.content == b""
    assert world.services.feedback.list(limit=1)[0]["question"] == "我的电话138****0001"
    too_long = httpx.post(f"{api_url}/v1/feedback", json={"question": "问" * 501, "helpful": True})
    assert too_long.status_code == 422 and set(too_long.json()) == {"error", "detail"}


# -- units: rendering and the API client --------------------------------------------------------------------------------
def test_split_html_keeps_every_part_valid_and_under_the_limit() -> None:
    passage = "第一条 " + "防止返贫监测对象<按规定>享受帮扶&救助。" * 600  # one long line, ~14,000 characters
    text = "<b>标题</b>\n" + "\n".join(f"• 第{i}行 <i>{render.esc('a<b')}</i>" for i in range(300))
    text += "\n\n" + f"<blockquote>{render.esc(passage)}</blockquote>"
    parts = render.split_html(text, limit=4096)
    assert len(parts) >= 4
    for part in parts:
        assert utf16_len(part) <= 4096
        parse_html(part)  # raises on unbalanced tags or unescaped text
    assert "".join(parse_html(p) for p in parts).replace("\n", "") == parse_html(text).replace("\n", "")
    assert render.split_html("short") == ["short"] and render.split_html("  ") == []


def test_document_text_is_always_escaped() -> None:
    citation = {
        "title": "<script>x</script>",
        "doc_number": "A&B",
        "section": "第一条",
        "text": "1 < 2 & 3 > 2",
    }
    text = render.passage(citation, {"issuer": "<i>县</i>", "in_force": False})
    assert parse_html(text).count("<script>") == 1 and "&lt;script&gt;" in text
    assert T.PASSAGE_EXPIRED in text
    data = {
        "answer": "<b>不是标签</b>[1]",
        "abstained": False,
        "citations": [{"n": 1, **citation, "doc_id": "d"}],
    }
    assert "&lt;b&gt;不是标签&lt;/b&gt;[1]" in render.answer(data)


def api_with(handler: Callable[[httpx.Request], httpx.Response]) -> ApiClient:
    return ApiClient("http://api.test", "key", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (403, {"error": "NotBound", "detail": "not bound"}, {}, NotBound),
        (403, {"error": "Forbidden", "detail": "no"}, {}, Forbidden),
        (422, {"error": "InvalidInput", "detail": "bad"}, {}, InvalidInput),
        (429, {"error": "RateLimited", "detail": "wait"}, {"Retry-After": "120"}, RateLimited),
        (503, {"error": "ServiceUnavailable", "detail": "later"}, {}, ApiUnavailable),
    ],
)
def test_the_api_client_maps_errors(
    status: int, body: dict[str, str], headers: dict[str, str], error: type
) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json=body, headers=headers)

    async def run() -> None:
        api = api_with(handler)
        with pytest.raises(error) as caught:
            await api.status(chat_user_id="42")
        await api.aclose()
        if isinstance(caught.value, RateLimited):
            assert caught.value.retry_after == 120

    asyncio.run(run())
    assert calls[0].headers["Authorization"] == "Bearer key" and calls[0].headers["X-Chat-User-Id"] == "42"
    assert len(calls) == (2 if status >= 500 else 1)  # a 5xx is retried once


def test_the_api_client_retries_connect_errors_once_and_never_retries_a_bind_after_a_5xx() -> None:
    attempts: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        if len(attempts) == 1:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/v1/me/bind":
            return httpx.Response(500, json={"error": "InternalError", "detail": "x"})
        return httpx.Response(200, json={"answer": "好", "abstained": False, "citations": [], "measures": []})

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async def run() -> None:
        api = api_with(flaky)
        assert (await api.ask("问"))["answer"] == "好"
        with pytest.raises(ApiUnavailable):
            await api.bind(chat_user_id="1", code="ABCDEFGH", phone="13800000001")
        with pytest.raises(ApiUnavailable):
            await api_with(slow).ask("问")

    asyncio.run(run())
    assert attempts == ["/v1/ask", "/v1/ask", "/v1/me/bind"]


def test_the_fake_server_refuses_what_telegram_refuses() -> None:
    with pytest.raises(Exception, match="parse entities"):
        parse_html("1 < 2")
    with pytest.raises(Exception, match="parse entities"):
        parse_html("<b>open")
    assert parse_html("&lt;b&gt; &amp; <b>粗</b>") == "<b> & 粗"


def test_a_question_the_policies_do_not_cover_says_whom_to_ask(bot: Harness) -> None:
    user = bot.user(3201)
    reply = user.send("火星上能种土豆吗")[0]
    assert "帮扶责任人" in shown(reply) and T.ABSTAIN_HINT in shown(reply)
    assert not [b for b in user.buttons(reply) if b.startswith("查看原文") or b == T.FEEDBACK_YES]
