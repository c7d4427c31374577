"""/report: a household reports a sudden hardship (防返贫 自主申报); /myreports: how far their reports are.

A persistent ConversationHandler (named "report"); the report being put together is the user's `ReportDraft`
(bot.state), persisted with the conversation. Steps, each with buttons (ReportStep):

    /report, 家里遇到难处 (Menu REPORT), the offer under answers → WHO: 我家自己 / 替乡亲代报
      → VILLAGE (when the API does not know the household's village: unbound, or 代报) → CATEGORY
      → DESCRIBE: text, photos, voice notes (kept as Telegram file ids) … 下一步 → AMOUNT → URGENT
      → CONFIRM: 确认提交 / 重新填写 → (unbound: PHONE, the user's own contact) → POST /v1/me/reports
    then the photos and voice notes go from Telegram to the API as the case's attachments, and the case number
    (or "merged into your open case") is the reply.

The phone of an unbound reporter is never kept: it is asked last and goes straight to the API.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from typing import Any

from telegram import Message, ReplyKeyboardRemove, Update
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
from bot.api_client import ApiError
from bot.callbacks import Menu, MenuChoice, exact
from bot.case_callbacks import CaseAct, ReportField, ReportStep
from bot.chat import Row, answer_query, button, contact_keyboard, markup, rows, send, user_id
from bot.context import BotContext
from bot.flows.common import cancel
from bot.state import MAX_FILES, ReportDraft

logger = logging.getLogger(__name__)

WHO, VILLAGE, CATEGORY, DESCRIBE, AMOUNT, URGENT, CONFIRM, PHONE = range(20, 28)  # persisted: never renumber
END = ConversationHandler.END
MAX_DESCRIPTION = 1000
_CONTENT_TYPES = {"photo": "image/jpeg", "voice": "audio/ogg"}


def _step(field: ReportField, labels: list[str], per_row: int) -> list[Row]:
    return rows([button(label, ReportStep(field, i)) for i, label in enumerate(labels)], per_row)


def _draft(context: BotContext) -> ReportDraft | None:
    return context.state.report


def _choice(update: Update, field: ReportField) -> int | None:
    query = update.callback_query
    step = ReportStep.parse(query.data) if query is not None else None
    return step.index if step is not None and step.field is field else None


async def _expired(update: Update, context: BotContext) -> int:
    await answer_query(update, CT.REPORT_EXPIRED, alert=True)
    return END


async def _done_with(update: Update) -> None:
    """Take the buttons off the message that was answered."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)


async def _picked(
    update: Update, context: BotContext, field: ReportField, options: int | None = None
) -> tuple[ReportDraft, int] | None:
    """The draft and the button pressed for `field` (one of `options` when given), acknowledged and its buttons
    taken off; None when the draft is gone or the button is not this step's."""
    draft, index = _draft(context), _choice(update, field)
    if draft is None or index is None or (options is not None and not 0 <= index < options):
        return None
    await answer_query(update)
    await _done_with(update)
    return draft, index


# -- the steps --------------------------------------------------------------------------------------------------------
async def report_start(update: Update, context: BotContext) -> int:
    """/report or 家里遇到难处: who is the report for."""
    await answer_query(update)
    me = await context.api.me(chat_user_id=user_id(update))
    if me.get("kind") == "cadre":
        await send(update, context, CT.REPORT_CADRE)
        return END
    context.state.check = None
    context.state.report = ReportDraft(bound=me.get("kind") == "household")
    keyboard = _step(ReportField.WHO, [CT.REPORT_WHO_SELF, CT.REPORT_WHO_OTHER], 2)
    await send(update, context, CT.REPORT_WHO, markup(keyboard))
    return WHO


async def on_who(update: Update, context: BotContext) -> int:
    """我家自己 / 替乡亲代报: the village is asked unless the household's record knows it."""
    picked = await _picked(update, context, ReportField.WHO)
    if picked is None:
        return await _expired(update, context)
    draft, index = picked
    draft.on_behalf = index == 1
    if draft.bound and not draft.on_behalf:
        return await _ask_category(update, context)
    places = await context.api.villages(chat_user_id=user_id(update))
    if not places:
        context.state.report = None
        await send(update, context, CT.REPORT_NO_VILLAGES)
        return END
    draft.villages = [[p["township"], p["village"]] for p in places][:60]
    names = [v for _, v in draft.villages]
    await send(update, context, CT.REPORT_VILLAGE, markup(_step(ReportField.VILLAGE, names, 3)))
    return VILLAGE


async def on_village(update: Update, context: BotContext) -> int:
    villages = len(draft.villages) if (draft := _draft(context)) else 0
    picked = await _picked(update, context, ReportField.VILLAGE, villages)
    if picked is None:
        return await _expired(update, context)
    draft, index = picked
    draft.township, draft.village = draft.villages[index]
    return await _ask_category(update, context)


async def _ask_category(update: Update, context: BotContext) -> int:
    labels = [label for label, _ in CT.REPORT_CATEGORIES]
    await send(update, context, CT.REPORT_CATEGORY, markup(_step(ReportField.CATEGORY, labels, 3)))
    return CATEGORY


async def on_category(update: Update, context: BotContext) -> int:
    picked = await _picked(update, context, ReportField.CATEGORY, len(CT.REPORT_CATEGORIES))
    if picked is None:
        return await _expired(update, context)
    draft, index = picked
    draft.category = CT.REPORT_CATEGORIES[index][1]
    await send(update, context, CT.REPORT_DESCRIBE)
    return DESCRIBE


def _next_button() -> Any:
    return markup([[button(CT.REPORT_NEXT, ReportStep(ReportField.DESCRIBED, 0))]])


async def on_text(update: Update, context: BotContext) -> int:
    """What happened, in words (more text is added to it)."""
    draft, message = _draft(context), update.effective_message
    if draft is None or message is None:
        return END
    text = (message.text or "").strip()
    joined = f"{draft.description}\n{text}".strip() if draft.description else text
    if len(joined) > MAX_DESCRIPTION:
        await send(update, context, CT.REPORT_TOO_LONG, _next_button() if draft.description else None)
        return DESCRIBE
    draft.description = joined
    await send(update, context, CT.REPORT_GOT_TEXT, _next_button())
    return DESCRIBE


async def on_file(update: Update, context: BotContext) -> int:
    """A photo (the largest size Telegram offers) or a voice note, kept as its file id until the report is sent."""
    draft, message = _draft(context), update.effective_message
    if draft is None or message is None:
        return END
    if len(draft.files) >= MAX_FILES:
        await send(update, context, render.fmt(CT.REPORT_TOO_MANY_FILES, count=MAX_FILES), _next_button())
        return DESCRIBE
    if message.photo:
        draft.files.append([message.photo[-1].file_id, "photo"])
        kind = CT.REPORT_PHOTO
    elif message.voice:
        draft.files.append([message.voice.file_id, "voice"])
        kind = CT.REPORT_VOICE
    else:
        return DESCRIBE
    if message.caption:
        draft.description = f"{draft.description}\n{message.caption.strip()}".strip()[:MAX_DESCRIPTION]
    await send(
        update,
        context,
        render.fmt(CT.REPORT_GOT_FILE, kind=kind, count=len(draft.files)),
        _next_button(),
    )
    return DESCRIBE


async def on_described(update: Update, context: BotContext) -> int:
    """下一步: the amount."""
    draft = _draft(context)
    if draft is None or _choice(update, ReportField.DESCRIBED) is None:
        return await _expired(update, context)
    await answer_query(update)
    if not draft.description and not draft.files:
        await send(update, context, CT.REPORT_NEED_TEXT)
        return DESCRIBE
    await _done_with(update)
    labels = [label for label, _ in CT.REPORT_AMOUNTS]
    await send(update, context, CT.REPORT_AMOUNT, markup(_step(ReportField.AMOUNT, labels, 2)))
    return AMOUNT


async def on_amount(update: Update, context: BotContext) -> int:
    picked = await _picked(update, context, ReportField.AMOUNT, len(CT.REPORT_AMOUNTS))
    if picked is None:
        return await _expired(update, context)
    draft, index = picked
    draft.amount_range = CT.REPORT_AMOUNTS[index][1]
    keyboard = _step(ReportField.URGENT, [CT.REPORT_URGENT_YES, CT.REPORT_URGENT_NO], 2)
    await send(update, context, CT.REPORT_URGENT, markup(keyboard))
    return URGENT


async def on_urgent(update: Update, context: BotContext) -> int:
    picked = await _picked(update, context, ReportField.URGENT)
    if picked is None:
        return await _expired(update, context)
    draft, index = picked
    draft.urgent = index == 0
    keyboard = _step(ReportField.CONFIRM, [CT.REPORT_RESTART, CT.REPORT_SUBMIT], 2)
    await send(update, context, render_cases.confirm(draft), markup(keyboard))
    return CONFIRM


async def on_confirm(update: Update, context: BotContext) -> int:
    """确认提交 (an unbound reporter then shares their own phone) or 重新填写."""
    draft, index = _draft(context), _choice(update, ReportField.CONFIRM)
    if draft is None or index is None:
        return await _expired(update, context)
    await _done_with(update)
    if index == 0:
        return await report_start(update, context)
    await answer_query(update)
    if not draft.bound:
        await send(update, context, CT.REPORT_SHARE_PHONE, contact_keyboard())
        return PHONE
    return await _submit(update, context, draft, phone=None)


async def on_contact(update: Update, context: BotContext) -> int:
    """The unbound reporter's own contact: the report is sent with the phone (which is not kept here)."""
    draft, message, user = _draft(context), update.effective_message, update.effective_user
    if draft is None or message is None or message.contact is None or user is None:
        return END
    if message.contact.user_id != user.id:
        await send(update, context, T.BIND_NOT_OWN, contact_keyboard())
        return PHONE
    return await _submit(update, context, draft, phone=message.contact.phone_number)


async def on_phone_text(update: Update, context: BotContext) -> int:
    await send(update, context, T.BIND_PRESS_BUTTON, contact_keyboard())
    return PHONE


async def _submit(update: Update, context: BotContext, draft: ReportDraft, *, phone: str | None) -> int:
    body: dict[str, Any] = {
        "category": draft.category,
        "description": draft.description or CT.REPORT_VOICE_ONLY,
        "amount_range": draft.amount_range or "unknown",
        "urgent": bool(draft.urgent),
        "on_behalf": draft.on_behalf,
    }
    if draft.village:
        body |= {"township": draft.township, "village": draft.village}
    if phone:
        body |= {"phone": phone, "phone_verified": True}
    data = await context.api.report(chat_user_id=user_id(update), body=body)
    context.state.report = None
    failed = await _upload(update, context, str(data["case_id"]), draft.files)
    logger.info("a hardship report was filed (merged=%s, %d files)", data.get("merged"), len(draft.files))
    text = render_cases.receipt(data)
    if failed:
        text += "\n" + render.fmt(CT.REPORT_FILES_FAILED, count=failed)
    await send(update, context, text, ReplyKeyboardRemove() if phone else None)
    return END


async def _upload(update: Update, context: BotContext, case_id: str, files: list[list[str]]) -> int:
    """Photos and voice notes from Telegram to the case; returns how many could not be moved."""
    failed = 0
    for file_id, kind in files:
        try:
            telegram_file = await context.bot.get_file(file_id)
            data = bytes(await telegram_file.download_as_bytearray())
            await context.api.attach_to_report(
                chat_user_id=user_id(update), case_id=case_id, data=data, content_type=_CONTENT_TYPES[kind]
            )
        except (TelegramError, ApiError) as exc:
            logger.warning("an attachment of a report was not stored: %s", type(exc).__name__)
            failed += 1
    return failed


# -- /myreports ---------------------------------------------------------------------------------------------------------
async def my_reports(update: Update, context: BotContext) -> None:
    """/myreports: every report of the user (and of their household) with the step it is at."""
    reports = await context.api.my_reports(chat_user_id=user_id(update))
    keyboard = [
        [button(render.fmt(CT.MORE_BUTTON, case_id=r["case_id"]), CaseAct(str(r["case_id"]), "more"))]
        for r in reports
        if r.get("status") == "returned" and not r.get("on_behalf")
    ]
    await send(update, context, render_cases.my_reports(reports), markup(keyboard))


def conversation() -> ConversationHandler[Any]:
    """The /report conversation (persistent: named "report", a report half put together survives a restart)."""

    def on(field: ReportField, callback: Any) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(callback, pattern=f"^rp:{field.value}:\\d{{1,3}}$")

    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("report", report_start),
                CallbackQueryHandler(report_start, pattern=exact(Menu(MenuChoice.REPORT))),
            ],
            states={
                WHO: [on(ReportField.WHO, on_who)],
                VILLAGE: [on(ReportField.VILLAGE, on_village)],
                CATEGORY: [on(ReportField.CATEGORY, on_category)],
                DESCRIBE: [
                    on(ReportField.DESCRIBED, on_described),
                    MessageHandler(filters.PHOTO | filters.VOICE, on_file),
                    MessageHandler(text, on_text),
                ],
                AMOUNT: [on(ReportField.AMOUNT, on_amount)],
                URGENT: [on(ReportField.URGENT, on_urgent)],
                CONFIRM: [on(ReportField.CONFIRM, on_confirm)],
                PHONE: [
                    MessageHandler(filters.CONTACT, on_contact),
                    MessageHandler(filters.Regex(f"^{T.BIND_CANCEL_BUTTON}$"), cancel),
                    MessageHandler(text, on_phone_text),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="report",
            persistent=True,
        )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """/myreports."""
    return [CommandHandler("myreports", my_reports)]
