"""The /check interview: questions from the API's `next_question`, answered with buttons, then the screening.

A persistent ConversationHandler (conversationbot.py style) with one state, ASKING; what the interview has
gathered is the user's `Interview` (bot.state), persisted with the conversation, so it survives a restart:

    /check, 查资格 (Menu) → check_start ─▶ ASKING: an answer (CheckAnswer) or a typed number → the next question
                                          a checklist: toggles (CheckToggle) … 选好了 (ck:done)
                                          不清楚，先看结果 (ck:stop), or no next question → the results, END
    档案不对，我自己回答 (ck:fresh) → check_fresh: again, without the household's record
    继续查资格 (ck:resume, the 重试 of an outage) → check_resume: the next question for the facts so far

The buttons are CallbackQueryHandlers in a per-chat conversation (per_message=False): the state is the user's,
and each button is checked against the open question (its message), which PTB cannot know.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import render
from bot import texts as T
from bot.api_client import InvalidInput, NotBound
from bot.callbacks import (
    CheckAction,
    CheckAnswer,
    CheckStep,
    CheckToggle,
    MeasureCard,
    Menu,
    MenuChoice,
    exact,
)
from bot.chat import Row, answer_query, button, markup, rows, send, user_id
from bot.context import BotContext
from bot.flows.common import cancel
from bot.flows.questions import answer_question
from bot.offer import offer_button
from bot.state import Interview, OpenQuestion, PendingAction, RetryKind

ASKING = 1  # persisted with the conversation: never renumber
END = ConversationHandler.END

RESULT_CARDS = 6  # 办理指南 buttons under the results, for the first eligible measures
_NUMBER = r"^\s*\d{1,3}\s*$"  # a typed answer to a question without buttons (e.g. an age)


async def check_start(update: Update, context: BotContext) -> int:
    """/check or 查资格: start the eligibility interview (a bound household's record answers what it can)."""
    await answer_query(update)
    _reset(context, record=None)
    await send(update, context, T.CHECK_INTRO)
    return await _next(update, context)


async def check_fresh(update: Update, context: BotContext) -> int:
    """档案不对，我自己回答: start again without the household's record; every question is asked."""
    await answer_query(update)
    _reset(context, record=False)
    await send(update, context, T.CHECK_FRESH)
    return await _next(update, context)


async def check_resume(update: Update, context: BotContext) -> int:
    """继续查资格 (after an outage): ask the next question for the facts so far."""
    await answer_query(update)
    if context.state.check is None:
        return await check_start(update, context)
    return await _next(update, context)


def _reset(context: BotContext, *, record: bool | None) -> None:
    context.state.bind_code = None
    context.state.check = Interview(record=record)


def _interview(context: BotContext) -> Interview:
    interview = context.state.check
    assert interview is not None
    return interview


async def _screen(update: Update, context: BotContext) -> dict[str, Any]:
    """The screening for the answers so far: with the household's record when the user is bound to one."""
    interview = _interview(context)
    if interview.record is not False:
        try:
            data = await context.api.me_eligibility(chat_user_id=user_id(update), facts=interview.facts)
        except NotBound:  # not bound, bound to a cadre account, or unbound since: the public screening
            interview.record = False
        else:
            interview.record = True
            return data
    return await context.api.eligibility(interview.facts)


async def _next(update: Update, context: BotContext) -> int:
    """Screen the facts so far; ask the next question, or show the results when there is none."""
    interview = _interview(context)
    context.remember(update, PendingAction(RetryKind.CHECK))
    data = await _screen(update, context)
    context.forget(update)
    if interview.record and not interview.noted:
        interview.noted = True
        if data.get("prefilled"):
            fresh = markup([[button(T.CHECK_FRESH_BUTTON, CheckAction(CheckStep.FRESH))]])
            await send(update, context, render.check_prefilled(str(data.get("prefilled_from", ""))), fresh)
    next_question = data.get("next_question")
    if not next_question:
        return await _finish(update, context, data)
    interview.asked += 1
    question = interview.question = OpenQuestion.from_api(next_question)
    text = render.check_question(interview.asked, next_question)
    if question.checklist:
        keyboard = _checklist_markup(question)
    else:
        answers: Row = [button(o.label, CheckAnswer(i)) for i, o in enumerate(question.options)]
        per_row = 2 if max((len(o.label) for o in question.options), default=0) > 4 else 3
        keyboard = markup([*rows(answers, per_row), [button(T.CHECK_STOP, CheckAction(CheckStep.STOP))]])
        if not question.options:  # a question without buttons (a number): the answer is typed
            text += "\n" + T.CHECK_TYPE_NUMBER
    sent = await send(update, context, text, keyboard)
    interview.message_id = sent.message_id if sent else None
    return ASKING


def _checklist_markup(question: OpenQuestion) -> InlineKeyboardMarkup | None:
    """One toggle per item (☐/☑), then 选好了 and 不清楚，先看结果."""
    ticked = set(question.ticked)
    keyboard: list[Row] = []
    for i, option in enumerate(question.options):
        template = T.CHECK_TICKED if option.fact in ticked else T.CHECK_UNTICKED
        keyboard.append([button(template.format(label=option.label), CheckToggle(i))])
    keyboard += [
        [button(T.CHECK_DONE, CheckAction(CheckStep.DONE))],
        [button(T.CHECK_STOP, CheckAction(CheckStep.STOP))],
    ]
    return markup(keyboard)


async def _finish(update: Update, context: BotContext, data: dict[str, Any]) -> int:
    """The results, with 办理指南 for the first eligible measures; the interview is over."""
    results = data.get("results") or []
    eligible = [r for r in results if r.get("status") == "eligible"][:RESULT_CARDS]
    cards = [
        [button(T.CARD_BUTTON.format(name=r["name"]), MeasureCard(str(r["measure_id"])))] for r in eligible
    ]
    cards += offer_button(data)  # 家里遇到难处？: when the screening points to 防返贫监测
    interview, context.state.check = context.state.check, None
    record = bool(interview is not None and interview.record and data.get("prefilled"))
    await send(update, context, render.check_result(results, record=record), markup(cards))
    return END


def _open_question(update: Update, context: BotContext) -> OpenQuestion | None:
    """The open question, if the button pressed belongs to it (not to an earlier, answered one)."""
    interview = context.state.check
    query = update.callback_query
    if interview is None or interview.question is None or query is None or query.message is None:
        return None
    if interview.message_id != query.message.message_id:
        return None
    return interview.question


async def _expired(update: Update, context: BotContext) -> int:
    await answer_query(update, T.CHECK_EXPIRED, alert=True)
    return ASKING if context.state.check is not None else END


async def check_answer(update: Update, context: BotContext) -> int:
    """An answer button: record the fact, mark the question answered, ask the next one."""
    query = update.callback_query
    assert query is not None
    question = _open_question(update, context)
    answer = CheckAnswer.parse(query.data)
    option = question.option(answer.index) if question and not question.checklist and answer else None
    if question is None or option is None or question.fact is None:
        return await _expired(update, context)
    await answer_query(update)
    interview = _interview(context)
    interview.facts[question.fact] = option.value
    interview.question = None
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(render.check_answered(interview.asked, _shown(question), option.label))
    return await _next(update, context)


def _open_checklist(update: Update, context: BotContext) -> OpenQuestion | None:
    question = _open_question(update, context)
    return question if question is not None and question.checklist else None


async def check_toggle(update: Update, context: BotContext) -> int:
    """A checklist item: tick or untick it (☐/☑); nothing is sent until 选好了."""
    query = update.callback_query
    assert query is not None
    question = _open_checklist(update, context)
    toggle = CheckToggle.parse(query.data)
    option = question.option(toggle.index) if question and toggle else None
    if question is None or option is None or option.fact is None:
        return await _expired(update, context)
    await answer_query(update)
    if option.fact in question.ticked:
        question.ticked.remove(option.fact)
    else:
        question.ticked.append(option.fact)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(_checklist_markup(question))
    return ASKING


async def check_done(update: Update, context: BotContext) -> int:
    """选好了: the ticked items are true, every other item false; then the next question."""
    query = update.callback_query
    assert query is not None
    question = _open_checklist(update, context)
    if question is None:
        return await _expired(update, context)
    await answer_query(update)
    interview = _interview(context)
    ticked = set(question.ticked)
    for option in question.options:
        if option.fact is not None:
            interview.facts[option.fact] = option.fact in ticked
    interview.question = None
    labels = [o.label for o in question.options if o.fact in ticked]
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(
            render.check_checklist_answered(interview.asked, _shown(question), labels)
        )
    return await _next(update, context)


async def check_stop(update: Update, context: BotContext) -> int:
    """不清楚，先看结果: the results for the facts given so far."""
    query = update.callback_query
    assert query is not None
    if _open_question(update, context) is None:
        return await _expired(update, context)
    await answer_query(update)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    context.remember(update, PendingAction(RetryKind.CHECK))
    data = await _screen(update, context)
    context.forget(update)
    return await _finish(update, context, data)


async def check_number(update: Update, context: BotContext) -> int:
    """A typed number while a question without buttons is open (e.g. an age)."""
    interview = context.state.check
    question = interview.question if interview is not None else None
    message = update.effective_message
    assert message is not None
    if interview is None or question is None:  # no question is open: the text is a policy question
        await answer_question(update, context, (message.text or "").strip())
        return END
    if question.options or question.fact is None:
        await send(update, context, T.CHECK_USE_BUTTONS)
        return ASKING
    fact = question.fact
    interview.facts[fact] = int((message.text or "").strip())
    try:
        return await _next(update, context)
    except InvalidInput:  # out of the fact's range: ask again
        del interview.facts[fact]
        await send(update, context, T.CHECK_TYPE_NUMBER)
        return ASKING


def _shown(question: OpenQuestion) -> dict[str, Any]:
    """The question as render.check_* take it."""
    return {"question": question.question}


def conversation() -> ConversationHandler[Any]:
    """The /check conversation (persistent: named "check", its state survives a restart)."""
    steps: list[BaseHandler[Any, Any, Any]] = [
        CallbackQueryHandler(check_fresh, pattern=exact(CheckAction(CheckStep.FRESH))),
        CallbackQueryHandler(check_answer, pattern=CheckAnswer.PATTERN),
        CallbackQueryHandler(check_toggle, pattern=CheckToggle.PATTERN),
        CallbackQueryHandler(check_done, pattern=exact(CheckAction(CheckStep.DONE))),
        CallbackQueryHandler(check_stop, pattern=exact(CheckAction(CheckStep.STOP))),
    ]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("check", check_start),
                CallbackQueryHandler(check_start, pattern=exact(Menu(MenuChoice.CHECK))),
                CallbackQueryHandler(check_resume, pattern=exact(CheckAction(CheckStep.RESUME))),
                *steps,
            ],
            states={ASKING: [*steps, MessageHandler(filters.Regex(_NUMBER), check_number)]},
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="check",
            persistent=True,
        )
