"""/bind: binding a chat account to a household or a cadre account, with a code from a cadre and the own phone.

A persistent ConversationHandler (named "bind"); the code waits in the user's state between the two steps:

    /bind [CODE] → CODE: the 8-character code typed (a typo costs no binding attempt)
                 → PHONE: the user's own contact through the 分享我的手机号 button → POST /v1/me/bind, END
    取消 or /cancel at any step → common.cancel

Someone else's contact card, or a typed number, proves nothing about the sender: the API is not even asked.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
from typing import Any

from telegram import BotCommandScopeChat, ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot import render
from bot import texts as T
from bot.api_client import InvalidInput, RateLimited
from bot.chat import chat_id, commands, contact_keyboard, send, user_id
from bot.context import BotContext
from bot.flows.common import cancel, cancel_button
from bot.flows.questions import MAX_QUESTION, answer_question

logger = logging.getLogger(__name__)

CODE, PHONE = 10, 11  # persisted with the conversation: never renumber
END = ConversationHandler.END

# Codes the API issues have 8 characters: a typo is caught here without costing a binding attempt.
CODE_LENGTH = 8
_CODE_CHARS = re.compile(r"[\s\-]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _code_of(text: str) -> str | None:
    code = _CODE_CHARS.sub("", text).upper()
    return code if len(code) == CODE_LENGTH and code.isascii() and code.isalnum() else None


async def bind_start(update: Update, context: BotContext) -> int:
    """/bind: ask for the binding code (or take it from `/bind CODE`)."""
    context.state.check = None
    context.state.bind_code = None
    code = _code_of("".join(context.args or []))
    if code is not None:
        context.state.bind_code = code
        await send(update, context, T.BIND_ASK_PHONE, contact_keyboard())
        return PHONE
    await send(update, context, T.BIND_ASK_CODE)
    return CODE


async def bind_code(update: Update, context: BotContext) -> int:
    """The code typed by the user; then the request for their contact."""
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    code = _code_of(text)
    if code is not None:
        context.state.bind_code = code
        await send(update, context, T.BIND_ASK_PHONE, contact_keyboard())
        return PHONE
    if _CJK.search(text) and len(text) > 4:  # a question, not a code: answer it and leave the binding
        await answer_question(update, context, text[:MAX_QUESTION])
        return END
    await send(update, context, T.BIND_CODE_FORMAT)
    return CODE


async def bind_contact(update: Update, context: BotContext) -> int:
    """The shared contact: bind when it is the sender's own; clear replies for every refusal."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.contact is not None and user is not None
    if message.contact.user_id != user.id:
        logger.info("binding: refused a contact that is not the sender's own")
        await send(update, context, T.BIND_NOT_OWN, contact_keyboard())
        return PHONE
    code = context.state.bind_code
    if not code:
        await send(update, context, T.BIND_ASK_CODE, ReplyKeyboardRemove())
        return CODE
    try:
        me = await context.api.bind(
            chat_user_id=user_id(update), code=code, phone=message.contact.phone_number
        )
    except RateLimited as exc:
        context.state.bind_code = None
        minutes = max(1, math.ceil(exc.retry_after / 60))
        await send(update, context, render.fmt(T.BIND_LOCKED, minutes=minutes), ReplyKeyboardRemove())
        return END
    except InvalidInput as exc:
        context.state.bind_code = None
        detail = exc.detail.lower()
        if "expired" in detail or "already used" in detail:
            await send(update, context, T.BIND_CODE_DEAD, ReplyKeyboardRemove())
            return END
        if "does not match" in detail:
            await send(update, context, T.BIND_NO_MATCH, ReplyKeyboardRemove())
            return CODE
        await send(update, context, T.BIND_BAD_PHONE, ReplyKeyboardRemove())
        return END
    context.state.bind_code = None
    if me.get("kind") == "cadre":
        label = ((me.get("cadre") or {}).get("jurisdiction") or {}).get("label", "")
        await send(update, context, render.fmt(T.BIND_OK_CADRE, label=label), ReplyKeyboardRemove())
        with contextlib.suppress(TelegramError):
            await context.bot.set_my_commands(
                commands(cadre=True), scope=BotCommandScopeChat(chat_id(update))
            )
    else:
        text = render.fmt(T.BIND_OK_HOUSEHOLD, household_no=me.get("household_no") or "")
        await send(update, context, text, ReplyKeyboardRemove())
    logger.info("binding: a chat user bound (%s)", me.get("kind"))
    return END


async def bind_press_button(update: Update, context: BotContext) -> int:
    """Typed text while the contact is awaited: the phone must come from the button, not the keyboard."""
    await send(update, context, T.BIND_PRESS_BUTTON, contact_keyboard())
    return PHONE


async def stray_contact(update: Update, context: BotContext) -> None:
    """A contact outside /bind."""
    await send(update, context, T.CONTACT_OUTSIDE_BIND, ReplyKeyboardRemove())


def conversation() -> ConversationHandler[Any]:
    """The /bind conversation (persistent: named "bind", a code typed before a restart is kept)."""
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("bind", bind_start)],
        states={
            CODE: [MessageHandler(cancel_button(), cancel), MessageHandler(text, bind_code)],
            PHONE: [
                MessageHandler(filters.CONTACT, bind_contact),
                MessageHandler(cancel_button(), cancel),
                MessageHandler(text, bind_press_button),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        allow_reentry=True,
        name="bind",
        persistent=True,
    )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Outside the conversation: a contact shared without /bind."""
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.CONTACT, stray_contact)]
