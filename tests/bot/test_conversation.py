"""Follow-up questions in the bot (bot.flows.questions): the chat's conversation goes with every question, and
a follow-up with no context offers the likeliest measures as buttons."""

from __future__ import annotations

from bot import texts as T
from tests.bot.conftest import Harness
from tests.bot.helpers import shown


def test_a_follow_up_is_answered_in_the_chats_conversation(bot: Harness) -> None:
    user = bot.user(3301)
    first = user.send("小额信贷怎么申请")[0]
    assert "小额信贷" in shown(first)
    follow = user.send("那要带什么材料")[0]
    assert "小额信贷" in shown(follow) and "身份证" in shown(follow)
    assert "春耕" not in shown(follow)
    other = bot.user(3302)  # another chat has a conversation of its own
    alone = other.send("那要带什么材料")[0]
    assert any(b.startswith("问“") for b in other.buttons(alone))


def test_clarify_buttons_ask_the_follow_up_about_the_chosen_measure(bot: Harness) -> None:
    user = bot.user(3303)
    question = user.send("要带什么材料")[0]
    choices = [b for b in user.buttons(question) if b.startswith("问“")]
    assert 2 <= len(choices) <= 3
    assert T.FEEDBACK_YES not in user.buttons(question) and "查看原文[1]" not in user.buttons(question)
    name = choices[0].removeprefix("问“").removesuffix("”")
    assert name in shown(question)
    answer = user.press(choices[0], message=question)[0]
    assert "[1]" in shown(answer) and "查看原文[1]" in user.buttons(answer)
    assert name[:2] in shown(answer)  # about the measure chosen
