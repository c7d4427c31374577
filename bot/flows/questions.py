"""Questions: free text is a policy question; the cited answer, 查看原文, 办理指南 and 有用/没用.

text → answer_question → POST /v1/ask → the answer with [n] markers, then buttons:
  查看原文[n]  Source       → on_source    (the passage, with title, 文号, issuer, article)
  办理指南：…   MeasureCard  → on_measure   (GET /v1/measures/{id})
  👍 / 👎       Feedback     → on_feedback  (POST /v1/feedback, once per answer; the buttons then go)
  问“…”         Clarify      → on_clarify   (a follow-up asked with no earlier question: asked about that measure)

Every question carries the chat's `conversation_id` and keeps the one the answer returns, so 要带什么材料 after a
question on 小额信贷 is answered about 小额信贷.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import render
from bot import texts as T
from bot.api_client import ApiError
from bot.callbacks import Clarify, Feedback, MeasureCard, Source
from bot.chat import Row, answer_query, button, markup, rows, send, typing, user_id
from bot.context import BotContext
from bot.offer import offer_button
from bot.state import PendingAction, RetryKind
from core.records.pii import mask_text

logger = logging.getLogger(__name__)

MAX_QUESTION = 500


async def on_text(update: Update, context: BotContext) -> None:
    """Free text is a policy question."""
    message = update.effective_message
    assert message is not None
    question = (message.text or "").strip()
    if not question:
        return
    if len(question) > MAX_QUESTION:
        await send(update, context, T.QUESTION_TOO_LONG)
        return
    await answer_question(update, context, question)


async def answer_question(update: Update, context: BotContext, question: str) -> None:
    """Ask the API; reply with the cited answer, 查看原文 per citation, measure cards and 有用/没用."""
    masked = mask_text(question)  # what is kept for a retry or feedback: no ID or phone numbers
    context.remember(update, PendingAction(RetryKind.ASK, question=masked))
    await typing(update, context)
    data = await context.api.ask(question, context.state.conversation_id, chat_user_id=user_id(update))
    context.forget(update)
    if data.get("conversation_id"):
        context.state.conversation_id = str(data["conversation_id"])
    key = context.answers.put(int(user_id(update)), masked, data)
    sources: Row = [
        button(T.SOURCE_BUTTON.format(n=c["n"]), Source(key, int(c["n"])))
        for c in data.get("citations") or []
    ]
    keyboard = rows(sources, 3)
    for i, choice in enumerate(data.get("clarify") or []):
        keyboard.append([button(T.CLARIFY_BUTTON.format(name=choice["name"]), Clarify(key, i))])
    for measure in (data.get("measures") or [])[:2]:
        keyboard.append([button(T.CARD_BUTTON.format(name=measure["name"]), MeasureCard(str(measure["id"])))])
    if not data.get("abstained") and data.get("citations"):  # not under a clarifying question or 好的's reply
        keyboard.append(
            [button(T.FEEDBACK_YES, Feedback(key, True)), button(T.FEEDBACK_NO, Feedback(key, False))]
        )
    keyboard += offer_button(data)  # 家里遇到难处？: when the answer points to 防返贫监测
    logger.info(
        "answered a question (abstained=%s, %d citations)",
        data.get("abstained"),
        len(data.get("citations") or []),
    )
    await send(update, context, render.answer(data), markup(keyboard))


async def on_source(update: Update, context: BotContext) -> None:
    """查看原文: the cited passage with its document's title, 文号 and article."""
    assert update.callback_query is not None
    await answer_query(update)
    source = Source.parse(update.callback_query.data)
    entry = context.answers.get(int(user_id(update)), source.key) if source else None
    citation = entry.citation(source.n) if entry and source else None
    if citation is None:
        await send(update, context, T.PASSAGE_GONE)
        return
    document = None
    try:
        document = await context.api.document(str(citation["doc_id"]))
    except ApiError as exc:  # the passage alone is still worth showing
        logger.info("document details unavailable: %s", type(exc).__name__)
    await send(update, context, render.passage(citation, document))


async def on_clarify(update: Update, context: BotContext) -> None:
    """问“…”: the follow-up asked again about the measure chosen."""
    assert update.callback_query is not None
    await answer_query(update)
    choice = Clarify.parse(update.callback_query.data)
    entry = context.answers.get(int(user_id(update)), choice.key) if choice else None
    if entry is None or choice is None or not 0 <= choice.index < len(entry.clarify):
        await send(update, context, T.BUTTON_EXPIRED)
        return
    await answer_question(update, context, entry.clarify[choice.index])


async def on_feedback(update: Update, context: BotContext) -> None:
    """有用/没用: recorded through the API once per answer; the buttons then go away."""
    query = update.callback_query
    assert query is not None
    vote = Feedback.parse(query.data)
    helpful = vote is not None and vote.helpful
    entry = context.answers.get(int(user_id(update)), vote.key) if vote else None
    if entry is not None and not entry.voted:
        try:
            await context.api.feedback(
                question=entry.question,
                helpful=helpful,
                doc_ids=entry.doc_ids(),
                answer=entry.answer,
                chat_user_id=user_id(update),
            )
            entry.voted = True
        except ApiError as exc:  # feedback is not worth bothering the user with an error
            logger.warning("feedback not recorded: %s", type(exc).__name__)
    await answer_query(update, T.FEEDBACK_THANKS if helpful else T.FEEDBACK_SORRY)
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        kept: list[Row] = [
            [b for b in row if Feedback.parse(b.callback_data) is None]
            for row in message.reply_markup.inline_keyboard
        ]
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(markup(kept))


async def on_measure(update: Update, context: BotContext) -> None:
    """办理指南: the measure card from the catalog."""
    assert update.callback_query is not None
    await answer_query(update)
    card = MeasureCard.parse(update.callback_query.data)
    assert card is not None  # the handler's pattern is MeasureCard's
    await show_measure(update, context, card.measure_id)


async def show_measure(update: Update, context: BotContext, measure_id: str) -> None:
    """The card of `measure_id` (also what 重试 repeats)."""
    context.remember(update, PendingAction(RetryKind.MEASURE, measure_id=measure_id))
    measure = await context.api.measure(measure_id)
    context.forget(update)
    await send(update, context, render.measure_card(measure))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The answer buttons, then free text (after every other text handler: it takes what they leave)."""
    return [
        CallbackQueryHandler(on_source, pattern=Source.PATTERN),
        CallbackQueryHandler(on_feedback, pattern=Feedback.PATTERN),
        CallbackQueryHandler(on_clarify, pattern=Clarify.PATTERN),
        CallbackQueryHandler(on_measure, pattern=MeasureCard.PATTERN),
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_text),
    ]
