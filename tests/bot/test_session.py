"""The whole bot end to end, as one villager meets it: the real `Application` polling a fake Telegram Bot API
server over HTTP and talking to the real API (real corpus, real household records) over HTTP.

/start, a question with citations and 查看原文, 办理指南, 有用, the /check interview (with a restart in the
middle), /bind with a code and a contact, /status showing only the bound household; nothing logged carries the
token, the phone number or the code. Each flow's own cases are in the test module named after it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx
import pytest

from bot import texts as T
from bot.__main__ import configure_logging
from tests.bot.conftest import TOKEN, Harness, World
from tests.bot.helpers import choose, contact_phone, shown

ILLNESS = T.CHECK_UNTICKED.format(label="家里有人得了大病、慢性病")
TICKED_ILLNESS = T.CHECK_TICKED.format(label="家里有人得了大病、慢性病")


def test_a_full_session_start_question_source_check_bind_status(
    bot: Harness, world: World, api_url: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    configure_logging(TOKEN)
    caplog.set_level(logging.INFO)
    household = world.household("柳湾村", 0)
    user = bot.user(2001, "王海燕")

    # /start: what the bot does, the privacy notice, five buttons; the command menu is set.
    start = user.send("/start")[0]
    assert "隐私说明" in shown(start)
    assert user.buttons(start) == [T.MENU_ASK, T.MENU_CHECK, T.MENU_ME, T.MENU_HELP, T.MENU_REPORT]
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
    eligible = result.split("可以申请（")[1].split("暂不符合")[0]
    assert (
        "C级危房维修加固补助：可以申请，每户1.5万元" in eligible
        and "住房经住建部门鉴定为C级局部危房" in eligible
    )
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
