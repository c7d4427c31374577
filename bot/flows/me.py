"""My household: a bound household's own status, payments and 帮扶责任人, and /unbind.

    /status   → show_status   (GET /v1/me/status) with 我的补贴 / 帮扶责任人 buttons (Me)
    /payments → show_payments (GET /v1/me/payments, optionally for one item)
    /helper   → show_helper   (the 帮扶责任人 of the status)
    /unbind   → 确定解除 / 不解除了 (Unbind) → POST /v1/me/unbind
The API decides who is bound: an unbound user's NotBound reaches the error handler (common.on_error).
"""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot import texts as T
from bot.callbacks import Me, MeChoice, Unbind
from bot.chat import answer_query, button, chat_id, markup, send, user_id
from bot.context import BotContext
from bot.state import PendingAction, RetryKind


async def status(update: Update, context: BotContext) -> None:
    """/status: the bound household's aid status, in the API's own words."""
    await show_status(update, context)


async def show_status(update: Update, context: BotContext) -> None:
    """The status with its two buttons (also 我的帮扶 in the menu, and what 重试 repeats)."""
    context.remember(update, PendingAction(RetryKind.STATUS))
    data = await context.api.status(chat_user_id=user_id(update))
    context.forget(update)
    keyboard = [
        [
            button(T.ME_BUTTONS_PAYMENTS, Me(MeChoice.PAYMENTS)),
            button(T.ME_BUTTONS_HELPER, Me(MeChoice.HELPER)),
        ]
    ]
    await send(update, context, render.esc(data.get("summary", "")), markup(keyboard))


async def payments(update: Update, context: BotContext) -> None:
    """/payments [项目]: did the money arrive."""
    await show_payments(update, context, " ".join(context.args or []).strip() or None)


async def show_payments(update: Update, context: BotContext, item: str | None) -> None:
    """The payments, all or of one item."""
    context.remember(update, PendingAction(RetryKind.PAYMENTS, item=item))
    data = await context.api.payments(chat_user_id=user_id(update), item=item)
    context.forget(update)
    await send(update, context, render.payments(data))


async def helper(update: Update, context: BotContext) -> None:
    """/helper: the household's 帮扶责任人 and their phone."""
    await show_helper(update, context)


async def show_helper(update: Update, context: BotContext) -> None:
    """The 帮扶责任人, from the status."""
    context.remember(update, PendingAction(RetryKind.HELPER))
    data = await context.api.status(chat_user_id=user_id(update))
    context.forget(update)
    await send(update, context, render.helper(data))


async def on_me_button(update: Update, context: BotContext) -> None:
    """我的补贴 / 帮扶责任人 under the status."""
    assert update.callback_query is not None
    await answer_query(update)
    choice = Me.parse(update.callback_query.data)
    if choice is not None and choice.choice is MeChoice.PAYMENTS:
        await show_payments(update, context, None)
    else:
        await show_helper(update, context)


async def unbind(update: Update, context: BotContext) -> None:
    """/unbind: ask first; unbinding cannot be undone without a new code."""
    keyboard = [[button(T.UNBIND_YES, Unbind(True)), button(T.UNBIND_NO, Unbind(False))]]
    await send(update, context, T.UNBIND_CONFIRM, markup(keyboard))


async def on_unbind_button(update: Update, context: BotContext) -> None:
    """确定解除 / 不解除了."""
    query = update.callback_query
    assert query is not None
    await answer_query(update)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    answer = Unbind.parse(query.data)
    if answer is None or not answer.confirmed:
        await send(update, context, T.UNBIND_KEPT)
        return
    result = await context.api.unbind(chat_user_id=user_id(update))
    await send(update, context, T.UNBIND_OK if result.get("unbound") else T.UNBIND_NONE)
    with contextlib.suppress(TelegramError):
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id(update)))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The household's commands and buttons."""
    return [
        CommandHandler("status", status),
        CommandHandler("payments", payments),
        CommandHandler("helper", helper),
        CommandHandler("unbind", unbind),
        CallbackQueryHandler(on_me_button, pattern=Me.PATTERN),
        CallbackQueryHandler(on_unbind_button, pattern=Unbind.PATTERN),
    ]
