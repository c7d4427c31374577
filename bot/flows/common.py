"""What every user meets whatever they are doing: the guard, /start, /help, /cancel, 重试, and the error handler.

- `guard` (group -1): private chats only (household data never goes to a group); the per-user rate limit.
- /start with its menu (Menu; 查资格 is an entry of the /check conversation), /help, /cancel or 取消.
- 重试 (Retry): repeat the action an outage interrupted, as remembered in the user's state (bot.state).
- `on_error`, the one error handler: API errors (bot.api_client) become plain Chinese (bot.texts), with a 重试
  button when the failed action can be repeated; nothing is ever shown of a trace.
- Fallbacks: a button nothing handles any more, an unknown command, a message that is not text.
"""

from __future__ import annotations

import contextlib
import logging
import math
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import render
from bot import texts as T
from bot.api_client import (
    ApiError,
    ApiUnavailable,
    Forbidden,
    InvalidInput,
    NotBound,
    NotFound,
    RateLimited,
    Unauthorized,
)
from bot.callbacks import CheckAction, CheckStep, Menu, MenuChoice, Retry
from bot.chat import answer_query, send
from bot.context import BotContext
from bot.flows.me import show_helper, show_payments, show_status
from bot.flows.questions import answer_question, show_measure
from bot.ratelimit import Verdict
from bot.state import RetryKind

logger = logging.getLogger(__name__)

END = ConversationHandler.END


def cancel_button() -> filters.BaseFilter:
    """The 取消 key of /bind's reply keyboard (it sends its label as text)."""
    return filters.Regex(f"^{T.BIND_CANCEL_BUTTON}$")


def main_menu() -> InlineKeyboardMarkup:
    """The buttons under /start."""

    def item(text: str, choice: MenuChoice) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=Menu(choice).build())

    return InlineKeyboardMarkup(
        [
            [item(T.MENU_ASK, MenuChoice.ASK), item(T.MENU_CHECK, MenuChoice.CHECK)],
            [item(T.MENU_ME, MenuChoice.ME), item(T.MENU_HELP, MenuChoice.HELP)],
            [item(T.MENU_REPORT, MenuChoice.REPORT)],
        ]
    )


async def guard(update: Update, context: BotContext) -> None:
    """Private chats only; a user over the rate limit gets one polite reply, then silence for a while."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        message = update.effective_message
        if message is not None and (message.text or "").startswith("/"):
            with contextlib.suppress(TelegramError):
                await message.reply_text(T.PRIVATE_ONLY)
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is None:
        return
    verdict = context.limiter.hit(user.id)
    if verdict is Verdict.ALLOWED:
        return
    logger.info("rate limit: dropped an update (%s)", verdict.value)
    if update.callback_query is not None:
        await answer_query(update, T.SLOW_DOWN if verdict is Verdict.LIMITED else None)
    elif verdict is Verdict.LIMITED and chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat.id, T.SLOW_DOWN)
    raise ApplicationHandlerStop


async def start(update: Update, context: BotContext) -> None:
    """/start: what the bot does, the privacy notice, and the main buttons."""
    await send(update, context, T.START, main_menu())


async def help_command(update: Update, context: BotContext) -> None:
    """/help: every command in one short list."""
    await send(update, context, T.HELP)


async def on_menu(update: Update, context: BotContext) -> None:
    """The /start buttons (查资格 is an entry of the interview conversation)."""
    assert update.callback_query is not None
    await answer_query(update)
    menu = Menu.parse(update.callback_query.data)
    if menu is not None and menu.choice is MenuChoice.ASK:
        await send(update, context, T.ASK_PROMPT)
    elif menu is not None and menu.choice is MenuChoice.ME:
        await show_status(update, context)
    else:
        await send(update, context, T.HELP)


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel or 取消: leave the interview or the binding."""
    state = context.state
    had = any(x is not None for x in (state.check, state.bind_code, state.report, state.case_draft))
    state.check = state.bind_code = state.report = state.case_draft = None
    await send(update, context, T.CANCELLED if had else T.NOTHING_TO_CANCEL, ReplyKeyboardRemove())
    return END


async def on_retry(update: Update, context: BotContext) -> None:
    """重试: repeat the action that failed when the API was unreachable."""
    assert update.callback_query is not None
    await answer_query(update)
    retry = Retry.parse(update.callback_query.data)
    action = context.state.retry.pop(str(retry.update_id), None) if retry else None
    if action is None:
        await send(update, context, T.BUTTON_EXPIRED)
    elif action.kind is RetryKind.ASK:
        await answer_question(update, context, str(action.question))
    elif action.kind is RetryKind.STATUS:
        await show_status(update, context)
    elif action.kind is RetryKind.PAYMENTS:
        await show_payments(update, context, action.item)
    elif action.kind is RetryKind.HELPER:
        await show_helper(update, context)
    elif action.kind is RetryKind.MEASURE:
        await show_measure(update, context, str(action.measure_id))
    else:  # the interview is retried with 继续查资格, never with 重试
        await send(update, context, T.BUTTON_EXPIRED)


def _retry_markup(update: Update, context: BotContext) -> InlineKeyboardMarkup | None:
    action = context.user_data.retry.get(str(update.update_id)) if context.user_data is not None else None
    if action is None:
        return None
    data = CheckAction(CheckStep.RESUME) if action.kind is RetryKind.CHECK else Retry(update.update_id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(T.RETRY_BUTTON, callback_data=data.build())]])


def _reply_for(error: BaseException) -> str | None:
    if isinstance(error, NotBound):
        return T.IS_CADRE if "bound to a cadre" in error.detail else T.NOT_BOUND
    if isinstance(error, Forbidden):
        return T.CADRE_ONLY
    if isinstance(error, NotFound):
        return T.NOT_FOUND
    if isinstance(error, RateLimited):
        return render.fmt(T.API_RATE_LIMITED, minutes=max(1, math.ceil(error.retry_after / 60)))
    if isinstance(error, InvalidInput):
        return T.INVALID_INPUT
    if isinstance(error, ApiUnavailable | Unauthorized):
        return T.API_DOWN
    return None


async def on_error(update: object, context: BotContext) -> None:
    """The one error handler: log without personal data; tell the user in plain words; never a trace."""
    error = context.error
    if isinstance(error, ApiError):
        logger.info("API error while handling an update: %s", type(error).__name__)
    elif isinstance(error, TelegramError):
        logger.warning("Telegram refused a request: %s", type(error).__name__)
        return  # a reply would most likely be refused too
    else:
        logger.error("unexpected error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    text = _reply_for(error) if error is not None else None
    markup = None
    if isinstance(error, ApiUnavailable | Unauthorized):
        markup = _retry_markup(update, context)
        if markup is None:
            text = T.API_DOWN_NO_RETRY
    await answer_query(update)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, text or T.GENERIC_ERROR, reply_markup=markup)


async def on_stale_button(update: Update, context: BotContext) -> None:
    """A button nothing handles any more."""
    await answer_query(update, T.BUTTON_EXPIRED, alert=True)


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know: the help."""
    await send(update, context, T.HELP)


async def on_other_message(update: Update, context: BotContext) -> None:
    """Voice, photos, stickers …: ask for text."""
    await send(update, context, T.NOT_TEXT)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """/start, /help, /cancel (also the 取消 key, outside /bind too), the menu and 重试."""
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler("cancel", cancel),
        CallbackQueryHandler(on_menu, pattern=Menu.PATTERN),
        CallbackQueryHandler(on_retry, pattern=Retry.PATTERN),
        MessageHandler(filters.UpdateType.MESSAGE & cancel_button(), cancel),
    ]


def fallbacks() -> list[BaseHandler[Any, Any, Any]]:
    """Last in the group: what no other handler took."""
    message = filters.UpdateType.MESSAGE
    return [
        CallbackQueryHandler(on_stale_button),
        MessageHandler(message & filters.COMMAND, on_unknown_command),
        MessageHandler(message, on_other_message),
    ]
