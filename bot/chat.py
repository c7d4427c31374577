"""Replying in the chat, for every flow: send (split under Telegram's limit), typing, answering a button, keyboards.

await send(update, context, render.answer(data), markup([[button(T.FEEDBACK_YES, Feedback(key, True))]]))
"""

from __future__ import annotations

import contextlib
import logging

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot import render
from bot import texts as T
from bot.callbacks import Callback, TooLong
from bot.context import BotContext

logger = logging.getLogger(__name__)

Row = list[InlineKeyboardButton | None]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def user_id(update: Update) -> str:
    """The sender's Telegram id, as the API's `X-Chat-User-Id`."""
    user = update.effective_user
    assert user is not None
    return str(user.id)


def chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def send(
    update: Update, context: BotContext, text: str, reply_markup: Markup | None = None
) -> Message | None:
    """Send HTML `text` to the update's chat, split under Telegram's limit; buttons go on the last part."""
    parts = render.split_html(text)
    last = None
    for i, part in enumerate(parts):
        last = await context.bot.send_message(
            chat_id(update), part, reply_markup=reply_markup if i == len(parts) - 1 else None
        )
    return last


async def typing(update: Update, context: BotContext) -> None:
    """Show 'typing…' while the API works (not worth an error if it fails)."""
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(chat_id(update), ChatAction.TYPING)


async def answer_query(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button press (stops the client's spinner), with a short note if given."""
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(text, show_alert=alert)


def button(text: str, callback: Callback) -> InlineKeyboardButton | None:
    """An inline button; None (the button is left out) when its data would be over Telegram's 64 bytes."""
    try:
        return InlineKeyboardButton(text, callback_data=callback.build())
    except TooLong:
        logger.debug("left out a button whose callback data is too long (%s)", type(callback).__name__)
        return None


def rows(buttons: Row, per_row: int) -> list[Row]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def markup(keyboard: list[Row]) -> InlineKeyboardMarkup | None:
    """The inline keyboard without the buttons left out, or None when nothing is left."""
    clean = [[b for b in row if b is not None] for row in keyboard]
    clean = [row for row in clean if row]
    return InlineKeyboardMarkup(clean) if clean else None


def contact_keyboard() -> ReplyKeyboardMarkup:
    """分享我的手机号 (request_contact) and 取消, for /bind's second step."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(T.BIND_SHARE_BUTTON, request_contact=True)], [KeyboardButton(T.BIND_CANCEL_BUTTON)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def commands(cadre: bool = False) -> list[BotCommand]:
    """The command menu; a cadre's has the cadre commands too."""
    pairs = T.COMMANDS + (T.CADRE_COMMANDS if cadre else ())
    return [BotCommand(name, description) for name, description in pairs]
