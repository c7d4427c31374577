"""/cases: a cadre's queue of hardship reports, one case with its next steps as buttons, and the note each step
takes; also the reporter's 补充材料 after a return.

    /cases → GET /v1/cases?queue=true: what waits on the cadre's level (and what is overdue below), 查看 (CaseOpen)
    查看 → the case with its history and the buttons of its next steps (CaseAct)
    a step → (纳入监测: the monitoring type, then the risk colour: CaseChoice) → the note, typed → POST actions
    补充材料 (CaseAct "more", under /myreports or a return) → the note → POST /v1/me/reports/{id}/more

A persistent ConversationHandler (named "cases") holds the step being taken (`CaseDraft`) until its note comes.
The API decides who may take which step; a refusal gets its own plain reply.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from telegram import Message, Update
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

from bot import case_texts as CT
from bot import render, render_cases
from bot import texts as T
from bot.api_client import Forbidden, InvalidInput, NotBound, NotFound
from bot.case_callbacks import CaseAct, CaseChoice, CaseOpen
from bot.chat import Row, answer_query, button, markup, send, user_id
from bot.context import BotContext
from bot.flows.common import cancel
from bot.state import CaseDraft

CHOOSE_TYPE, CHOOSE_RISK, NOTE = 40, 41, 42  # persisted with the conversation: never renumber
END = ConversationHandler.END
MAX_QUEUE = 10
NEXT_STEPS = {
    "reported": ("verify", "return", "note"),
    "village_verified": ("review", "return", "note"),
    "township_reviewed": ("decide", "reject", "return", "note"),
    "returned": ("note",),
}
NOTE_REQUIRED = {"reject", "return", "note", "more"}


async def cases(update: Update, context: BotContext) -> None:
    """/cases: the cases waiting on the cadre, nearest deadline first, with 查看."""
    try:
        queue = await context.api.cases(chat_user_id=user_id(update))
    except (Forbidden, NotBound):
        await send(update, context, T.CADRE_ONLY)
        return
    shown = queue[:MAX_QUEUE]
    keyboard: list[Row] = [
        [button(render.fmt(CT.CASE_VIEW_BUTTON, case_id=c["case_id"]), CaseOpen(str(c["case_id"])))]
        for c in shown
    ]
    await send(update, context, render_cases.case_list(queue), markup(keyboard))


async def on_open(update: Update, context: BotContext) -> None:
    """查看: the whole case and the buttons of its next steps."""
    assert update.callback_query is not None
    await answer_query(update)
    opened = CaseOpen.parse(update.callback_query.data)
    if opened is not None:
        await show_case(update, context, opened.case_id)


async def show_case(update: Update, context: BotContext, case_id: str) -> None:
    try:
        case = await context.api.case(chat_user_id=user_id(update), case_id=case_id)
    except (Forbidden, NotBound):
        await send(update, context, T.CADRE_ONLY)
        return
    except (NotFound, InvalidInput):
        await send(update, context, CT.CASE_NOT_FOUND)
        return
    steps = NEXT_STEPS.get(str(case.get("status")), ())
    keyboard: list[Row] = [[button(CT.CASE_ACTION_BUTTONS[a], CaseAct(case_id, a))] for a in steps]
    await send(update, context, render_cases.case_detail(case), markup(keyboard))


async def on_act(update: Update, context: BotContext) -> int:
    """A step's button: a decision first asks the monitoring type; every step then asks its note."""
    query = update.callback_query
    assert query is not None
    await answer_query(update)
    act = CaseAct.parse(query.data)
    if act is None:
        return END
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
    context.state.case_draft = CaseDraft(case_id=act.case_id, action=act.action)
    if act.action == "decide":
        labels = [button(t, CaseChoice("m", i)) for i, t in enumerate(CT.CASE_MONITORING_TYPES)]
        await send(update, context, CT.CASE_ASK_TYPE, markup([[b] for b in labels]))
        return CHOOSE_TYPE
    await send(update, context, CT.MORE_ASK if act.action == "more" else CT.CASE_ASK_NOTE[act.action])
    return NOTE


async def on_choice(update: Update, context: BotContext) -> int:
    """The monitoring type, then the risk colour of a decision."""
    query = update.callback_query
    assert query is not None
    await answer_query(update)
    draft, choice = context.state.case_draft, CaseChoice.parse(query.data)
    if draft is None or choice is None:
        await answer_query(update, T.BUTTON_EXPIRED, alert=True)
        return END
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
    if choice.kind == "m" and 0 <= choice.index < len(CT.CASE_MONITORING_TYPES):
        draft.monitoring_type = CT.CASE_MONITORING_TYPES[choice.index]
        risks = [button(label, CaseChoice("r", i)) for i, (label, _) in enumerate(CT.CASE_RISKS)]
        await send(update, context, CT.CASE_ASK_RISK, markup([risks]))
        return CHOOSE_RISK
    if choice.kind == "r" and 0 <= choice.index < len(CT.CASE_RISKS):
        draft.risk_level = CT.CASE_RISKS[choice.index][1]
        await send(update, context, CT.CASE_ASK_NOTE["decide"])
        return NOTE
    return END


async def on_note(update: Update, context: BotContext) -> int:
    """The note typed for the step; then the step is taken and the reporter is told (by the API's outbox)."""
    draft, message = context.state.case_draft, update.effective_message
    if draft is None or message is None:
        return END
    text = (message.text or "").strip()[:500]
    note: str | None = None if text == CT.CASE_NOTE_SKIP else text
    if not note and draft.action in NOTE_REQUIRED:
        await send(update, context, CT.CASE_NOTE_NEEDED)
        return NOTE
    context.state.case_draft = None
    who = user_id(update)
    try:
        if draft.action == "more":
            await context.api.report_more(chat_user_id=who, case_id=draft.case_id, note=str(note))
            await send(update, context, CT.MORE_DONE)
            return END
        body: dict[str, Any] = {"action": draft.action, "note": note}
        if draft.action == "decide":
            body |= {"monitoring_type": draft.monitoring_type, "risk_level": draft.risk_level}
        case = await context.api.case_action(chat_user_id=who, case_id=draft.case_id, body=body)
    except (Forbidden, InvalidInput):
        await send(update, context, CT.CASE_NOT_YOURS)
        return END
    except NotFound:
        await send(update, context, CT.CASE_NOT_FOUND)
        return END
    if draft.action == "note":
        await send(update, context, CT.CASE_NOTED)
    else:
        await send(
            update, context, render.fmt(CT.CASE_DONE, case_id=case["case_id"], status=case["status_label"])
        )
    return END


def conversation() -> ConversationHandler[Any]:
    """A step on a case, from its button to its note (persistent: named "cases")."""
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(on_act, pattern=CaseAct.PATTERN)],
            states={
                CHOOSE_TYPE: [CallbackQueryHandler(on_choice, pattern=r"^cs:m:\d\Z")],
                CHOOSE_RISK: [CallbackQueryHandler(on_choice, pattern=r"^cs:r:\d\Z")],
                NOTE: [MessageHandler(text, on_note)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="cases",
            persistent=True,
        )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """/cases and 查看."""
    return [CommandHandler("cases", cases), CallbackQueryHandler(on_open, pattern=CaseOpen.PATTERN)]
