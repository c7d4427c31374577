"""The Telegram bot: `build_application(settings, api)` wires the handlers, persistence and flood control.

The bot holds no data of its own: every answer, screening and household record comes from the API through
`bot.api_client.ApiClient`. Handlers, in the order PTB tries them:

- group -1, `guard`: private chats only (household data never goes to a group); per-user rate limit.
- group 0: the /check interview and the /bind conversation (persistent `ConversationHandler`s), then the
  commands, buttons, shared contacts and free text (→ `POST /v1/ask`).

API errors raised by a callback reach the one error handler, `on_error`, which turns them into plain Chinese
(`bot.texts`) and offers a 重试 button when the failed action can be repeated.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import secrets
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, cast

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    ExtBot,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import render
from bot import texts as T
from bot.api_client import (
    ApiClient,
    ApiError,
    ApiUnavailable,
    Forbidden,
    InvalidInput,
    NotBound,
    NotFound,
    RateLimited,
    Unauthorized,
)
from bot.ratelimit import PerUserUpdateProcessor, UserRateLimiter, Verdict
from core.records.pii import mask_text
from core.settings import Settings

logger = logging.getLogger(__name__)

# Conversation states (conversationbot.py style).
CHECK_ASKING = 1
BIND_CODE, BIND_PHONE = 10, 11
END = ConversationHandler.END

# Keys in user_data (persisted, so an interview or a binding survives a restart). Never a phone number.
CHECK = "check"
CHECKLIST = "checklist"  # next_question.kind of a tick-what-applies question
BIND = "bind_code"
RETRY = "retry"

# Codes the API issues have 8 characters: a typo is caught here without costing a binding attempt.
BIND_CODE_LENGTH = 8
MAX_QUESTION = 500
MAX_RETRIES = 5  # failed actions per user that keep a working 重试 button
RATE_LIMIT = (30, 60.0)  # updates per user per window (seconds)
ANSWER_CACHE_SIZE = 2000
PERSISTENCE_FLUSH_SECONDS = 5.0

_CODE_CHARS = re.compile(r"[\s\-]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class AnswerCache:
    """Recent answers by a random key, in memory, for 查看原文 and 有用/没用; a restart forgets them.

    Passages are kept here rather than in the persisted user data so the state file stays small.
    """

    def __init__(self, size: int = ANSWER_CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def put(self, owner: int, question: str, answer: dict[str, Any]) -> str:
        key = secrets.token_hex(4)  # random, so a button from before a restart never opens another answer
        self._items[key] = {
            "owner": owner,
            "question": question,
            "citations": [
                {k: c.get(k) for k in ("n", "doc_id", "title", "doc_number", "section", "text")}
                for c in answer.get("citations") or []
            ],
            "voted": False,
        }
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return key

    def get(self, owner: int, key: str) -> dict[str, Any] | None:
        """The answer behind a button, only for the user it was given to (callback data can be forged)."""
        entry = self._items.get(key)
        return entry if entry is not None and entry["owner"] == owner else None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Callback context with the bot's services (contexttypesbot.py style)."""

    @property
    def api(self) -> ApiClient:
        return cast(ApiClient, self.bot_data["api"])

    @property
    def answers(self) -> AnswerCache:
        return cast(AnswerCache, self.bot_data["answers"])

    @property
    def limiter(self) -> UserRateLimiter:
        return cast(UserRateLimiter, self.bot_data["limiter"])

    @property
    def state(self) -> dict[Any, Any]:
        """The user's persisted data (every update the bot handles has a user)."""
        return self.user_data if self.user_data is not None else {}


# -- helpers ------------------------------------------------------------------------------------------------------
def _uid(update: Update) -> str:
    user = update.effective_user
    assert user is not None
    return str(user.id)


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def send(
    update: Update,
    context: BotContext,
    text: str,
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
) -> Message | None:
    """Send HTML `text` to the update's chat, split under Telegram's limit; buttons go on the last part."""
    parts = render.split_html(text)
    last = None
    for i, part in enumerate(parts):
        last = await context.bot.send_message(
            _chat_id(update), part, reply_markup=reply_markup if i == len(parts) - 1 else None
        )
    return last


async def _typing(update: Update, context: BotContext) -> None:
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(_chat_id(update), ChatAction.TYPING)


async def _answer_query(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(text, show_alert=alert)


def _set_retry(update: Update, context: BotContext, kind: str, **args: Any) -> None:
    """Remember what this update asks the API, so that if it fails the 重试 button can do it again."""
    pending = context.state.setdefault(RETRY, {})
    pending[str(update.update_id)] = {"kind": kind, **args}
    for key in list(pending)[:-MAX_RETRIES]:  # only the last few failures can be retried
        del pending[key]


def _clear_retry(update: Update, context: BotContext) -> None:
    context.state.get(RETRY, {}).pop(str(update.update_id), None)


Row = list[InlineKeyboardButton | None]


def _rows(buttons: Row, per_row: int) -> list[Row]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _button(text: str, data: str) -> InlineKeyboardButton | None:
    # Telegram refuses callback data over 64 bytes; such a button is left out rather than failing the reply.
    return InlineKeyboardButton(text, callback_data=data) if len(data.encode()) <= 64 else None


def _markup(rows: list[Row]) -> InlineKeyboardMarkup | None:
    clean = [[b for b in row if b is not None] for row in rows]
    clean = [row for row in clean if row]
    return InlineKeyboardMarkup(clean) if clean else None


def _contact_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(T.BIND_SHARE_BUTTON, request_contact=True)], [KeyboardButton(T.BIND_CANCEL_BUTTON)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(T.MENU_ASK, callback_data="menu:ask"),
                InlineKeyboardButton(T.MENU_CHECK, callback_data="menu:check"),
            ],
            [
                InlineKeyboardButton(T.MENU_ME, callback_data="menu:me"),
                InlineKeyboardButton(T.MENU_HELP, callback_data="menu:help"),
            ],
        ]
    )


def _commands(cadre: bool = False) -> list[BotCommand]:
    pairs = T.COMMANDS + (T.CADRE_COMMANDS if cadre else ())
    return [BotCommand(name, description) for name, description in pairs]


# -- guard ----------------------------------------------------------------------------------------------------------
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
        await _answer_query(update, T.SLOW_DOWN if verdict is Verdict.LIMITED else None)
    elif verdict is Verdict.LIMITED and chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat.id, T.SLOW_DOWN)
    raise ApplicationHandlerStop


# -- start, help, menu -------------------------------------------------------------------------------------------------
async def start(update: Update, context: BotContext) -> None:
    """/start: what the bot does, the privacy notice, and the main buttons."""
    await send(update, context, T.START, _menu())


async def help_command(update: Update, context: BotContext) -> None:
    """/help: every command in one short list."""
    await send(update, context, T.HELP)


async def on_menu(update: Update, context: BotContext) -> None:
    """The /start buttons (查资格 is an entry of the interview conversation)."""
    query = update.callback_query
    assert query is not None
    await _answer_query(update)
    choice = (query.data or "").removeprefix("menu:")
    if choice == "ask":
        await send(update, context, T.ASK_PROMPT)
    elif choice == "me":
        await show_status(update, context)
    else:
        await send(update, context, T.HELP)


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel or 取消: leave the interview or the binding."""
    had = context.state.pop(CHECK, None) is not None
    had = context.state.pop(BIND, None) is not None or had
    await send(update, context, T.CANCELLED if had else T.NOTHING_TO_CANCEL, ReplyKeyboardRemove())
    return END


# -- questions ------------------------------------------------------------------------------------------------------------
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
    _set_retry(update, context, "ask", question=masked)
    await _typing(update, context)
    data = await context.api.ask(question)
    _clear_retry(update, context)
    key = context.answers.put(int(_uid(update)), masked, data)
    sources: Row = [
        _button(T.SOURCE_BUTTON.format(n=c["n"]), f"src:{key}:{c['n']}") for c in data.get("citations") or []
    ]
    rows = _rows(sources, 3)
    for measure in (data.get("measures") or [])[:2]:
        rows.append([_button(T.CARD_BUTTON.format(name=measure["name"]), f"mc:{measure['id']}")])
    if not data.get("abstained"):
        rows.append([_button(T.FEEDBACK_YES, f"fb:{key}:1"), _button(T.FEEDBACK_NO, f"fb:{key}:0")])
    logger.info(
        "answered a question (abstained=%s, %d citations)",
        data.get("abstained"),
        len(data.get("citations") or []),
    )
    await send(update, context, render.answer(data), _markup(rows))


async def on_source(update: Update, context: BotContext) -> None:
    """查看原文: the cited passage with its document's title, 文号 and article."""
    query = update.callback_query
    assert query is not None
    await _answer_query(update)
    _, key, n = (query.data or "::").split(":", 2)
    entry = context.answers.get(int(_uid(update)), key)
    citation = next((c for c in entry["citations"] if str(c["n"]) == n), None) if entry else None
    if citation is None:
        await send(update, context, T.PASSAGE_GONE)
        return
    document = None
    try:
        document = await context.api.document(str(citation["doc_id"]))
    except ApiError as exc:  # the passage alone is still worth showing
        logger.info("document details unavailable: %s", type(exc).__name__)
    await send(update, context, render.passage(citation, document))


async def on_feedback(update: Update, context: BotContext) -> None:
    """有用/没用: recorded through the API once per answer; the buttons then go away."""
    query = update.callback_query
    assert query is not None
    _, key, vote = (query.data or "::").split(":", 2)
    helpful = vote == "1"
    entry = context.answers.get(int(_uid(update)), key)
    if entry is not None and not entry["voted"]:
        doc_ids = list(dict.fromkeys(str(c["doc_id"]) for c in entry["citations"]))
        try:
            await context.api.feedback(question=entry["question"], helpful=helpful, doc_ids=doc_ids)
            entry["voted"] = True
        except ApiError as exc:  # feedback is not worth bothering the user with an error
            logger.warning("feedback not recorded: %s", type(exc).__name__)
    await _answer_query(update, T.FEEDBACK_THANKS if helpful else T.FEEDBACK_SORRY)
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        rows = [
            [b for b in row if not str(b.callback_data or "").startswith("fb:")]
            for row in message.reply_markup.inline_keyboard
        ]
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(_markup(cast(Any, rows)))


async def on_measure(update: Update, context: BotContext) -> None:
    """办理指南: the measure card from the catalog."""
    query = update.callback_query
    assert query is not None
    await _answer_query(update)
    await show_measure(update, context, (query.data or "").removeprefix("mc:"))


async def show_measure(update: Update, context: BotContext, measure_id: str) -> None:
    _set_retry(update, context, "measure", measure_id=measure_id)
    measure = await context.api.measure(measure_id)
    _clear_retry(update, context)
    await send(update, context, render.measure_card(measure))


async def on_other_message(update: Update, context: BotContext) -> None:
    """Voice, photos, stickers …: ask for text."""
    await send(update, context, T.NOT_TEXT)


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know: the help."""
    await send(update, context, T.HELP)


async def on_stale_button(update: Update, context: BotContext) -> None:
    """A button nothing handles any more."""
    await _answer_query(update, T.BUTTON_EXPIRED, alert=True)


# -- /check ------------------------------------------------------------------------------------------------------------------
# The interview's "record" key: None until the API has said whether the chat user is bound to a household;
# True while their household's record fills in what it states (POST /v1/me/eligibility); False for everyone
# else (unbound users, cadres) and after 档案不对，我自己回答 (POST /v1/eligibility). Only the user's answers
# are kept in "facts": the record's facts stay with the API, which reads (and audits) them on each call.
async def check_start(update: Update, context: BotContext) -> int:
    """/check or 查资格: start the eligibility interview (a bound household's record answers what it can)."""
    await _answer_query(update)
    _check_reset(context, record=None)
    await send(update, context, T.CHECK_INTRO)
    return await _check_next(update, context)


async def check_fresh(update: Update, context: BotContext) -> int:
    """档案不对，我自己回答: start again without the household's record; every question is asked."""
    await _answer_query(update)
    _check_reset(context, record=False)
    await send(update, context, T.CHECK_FRESH)
    return await _check_next(update, context)


def _check_reset(context: BotContext, *, record: bool | None) -> None:
    context.state.pop(BIND, None)
    context.state[CHECK] = {
        "facts": {},
        "asked": 0,
        "question": None,
        "message_id": None,
        "record": record,
        "noted": False,
    }


async def _screen(update: Update, context: BotContext) -> dict[str, Any]:
    """The screening for the answers so far: with the household's record when the user is bound to one."""
    state = context.state[CHECK]
    if state.get("record") is not False:
        try:
            data = await context.api.me_eligibility(chat_user_id=_uid(update), facts=state["facts"])
        except NotBound:  # not bound, bound to a cadre account, or unbound since: the public screening
            state["record"] = False
        else:
            state["record"] = True
            return data
    return await context.api.eligibility(state["facts"])


async def check_resume(update: Update, context: BotContext) -> int:
    """继续查资格 (after an outage): ask the next question for the facts so far."""
    await _answer_query(update)
    if CHECK not in context.state:
        return await check_start(update, context)
    return await _check_next(update, context)


async def _check_next(update: Update, context: BotContext) -> int:
    state = context.state[CHECK]
    _set_retry(update, context, "check")
    data = await _screen(update, context)
    _clear_retry(update, context)
    if state.get("record") and not state.get("noted"):
        state["noted"] = True
        if data.get("prefilled"):
            markup = _markup([[_button(T.CHECK_FRESH_BUTTON, "ck:fresh")]])
            await send(update, context, render.check_prefilled(str(data.get("prefilled_from", ""))), markup)
    question = data.get("next_question")
    if not question:
        return await _check_finish(update, context, data)
    state["asked"] += 1
    options = question.get("options") or []
    text = render.check_question(state["asked"], question)
    if question.get("kind") == CHECKLIST:
        state["question"] = {
            "kind": CHECKLIST,
            "question": question["question"],
            "options": [{"label": o["label"], "fact": o["fact"]} for o in options],
            "ticked": [],
        }
        markup = _checklist_markup(state["question"])
    else:
        state["question"] = {"fact": question["fact"], "question": question["question"], "options": options}
        buttons: Row = [_button(str(o["label"]), f"ck:{i}") for i, o in enumerate(options)]
        per_row = 2 if max((len(str(o["label"])) for o in options), default=0) > 4 else 3
        markup = _markup([*_rows(buttons, per_row), [_button(T.CHECK_STOP, "ck:stop")]])
        if not options:  # a question without buttons (a number): the answer is typed
            text += "\n" + T.CHECK_TYPE_NUMBER
    sent = await send(update, context, text, markup)
    state["message_id"] = sent.message_id if sent else None
    return CHECK_ASKING


def _checklist_markup(question: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """One toggle per item (☐/☑), then 选好了 and 不清楚，先看结果."""
    ticked = set(question["ticked"])
    rows: list[Row] = []
    for i, option in enumerate(question["options"]):
        template = T.CHECK_TICKED if option["fact"] in ticked else T.CHECK_UNTICKED
        rows.append([_button(template.format(label=option["label"]), f"ck:t:{i}")])
    rows += [[_button(T.CHECK_DONE, "ck:done")], [_button(T.CHECK_STOP, "ck:stop")]]
    return _markup(rows)


async def _check_finish(update: Update, context: BotContext, data: dict[str, Any]) -> int:
    results = data.get("results") or []
    eligible = [r for r in results if r.get("status") == "eligible"][:6]
    rows = [[_button(T.CARD_BUTTON.format(name=r["name"]), f"mc:{r['measure_id']}")] for r in eligible]
    state = context.state.pop(CHECK, None) or {}
    text = render.check_result(results, record=bool(state.get("record") and data.get("prefilled")))
    await send(update, context, text, _markup(rows))
    return END


def _current_question(update: Update, context: BotContext) -> dict[str, Any] | None:
    """The open question, if the button pressed belongs to it (not to an earlier, answered one)."""
    state = context.state.get(CHECK)
    query = update.callback_query
    if not state or not state.get("question") or query is None or query.message is None:
        return None
    if state.get("message_id") != query.message.message_id:
        return None
    return cast(dict[str, Any], state["question"])


async def _expired(update: Update, context: BotContext) -> int:
    await _answer_query(update, T.CHECK_EXPIRED, alert=True)
    return CHECK_ASKING if context.state.get(CHECK) else END


def _option(question: dict[str, Any] | None, data: str, prefix: str) -> dict[str, Any] | None:
    """The option a button names (`prefix` + its index) on the open question, if it has one."""
    if question is None:
        return None
    try:
        return cast(dict[str, Any], question["options"][int(data.removeprefix(prefix))])
    except (ValueError, IndexError):
        return None


async def check_answer(update: Update, context: BotContext) -> int:
    """An answer button: record the fact, mark the question answered, ask the next one."""
    query = update.callback_query
    assert query is not None
    question = _current_question(update, context)
    if question is not None and question.get("kind") == CHECKLIST:
        question = None
    option = _option(question, query.data or "", "ck:")
    if question is None or option is None:
        return await _expired(update, context)
    await _answer_query(update)
    state = context.state[CHECK]
    state["facts"][question["fact"]] = option["value"]
    state["question"] = None
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(render.check_answered(state["asked"], question, str(option["label"])))
    return await _check_next(update, context)


def _open_checklist(update: Update, context: BotContext) -> dict[str, Any] | None:
    question = _current_question(update, context)
    return question if question is not None and question.get("kind") == CHECKLIST else None


async def check_toggle(update: Update, context: BotContext) -> int:
    """A checklist item: tick or untick it (☐/☑); nothing is sent until 选好了."""
    query = update.callback_query
    assert query is not None
    question = _open_checklist(update, context)
    option = _option(question, query.data or "", "ck:t:")
    if question is None or option is None:
        return await _expired(update, context)
    await _answer_query(update)
    ticked = question["ticked"]
    if option["fact"] in ticked:
        ticked.remove(option["fact"])
    else:
        ticked.append(option["fact"])
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(_checklist_markup(question))
    return CHECK_ASKING


async def check_done(update: Update, context: BotContext) -> int:
    """选好了: the ticked items are true, every other item false; then the next question."""
    query = update.callback_query
    assert query is not None
    question = _open_checklist(update, context)
    if question is None:
        return await _expired(update, context)
    await _answer_query(update)
    state = context.state[CHECK]
    ticked = set(question["ticked"])
    for option in question["options"]:
        state["facts"][option["fact"]] = option["fact"] in ticked
    state["question"] = None
    labels = [str(o["label"]) for o in question["options"] if o["fact"] in ticked]
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(render.check_checklist_answered(state["asked"], question, labels))
    return await _check_next(update, context)


async def check_stop(update: Update, context: BotContext) -> int:
    """不清楚，先看结果: the results for the facts given so far."""
    query = update.callback_query
    assert query is not None
    if _current_question(update, context) is None:
        return await _expired(update, context)
    await _answer_query(update)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    _set_retry(update, context, "check")
    data = await _screen(update, context)
    _clear_retry(update, context)
    return await _check_finish(update, context, data)


async def check_number(update: Update, context: BotContext) -> int:
    """A typed number while a question without buttons is open (e.g. an age)."""
    state = context.state.get(CHECK) or {}
    question = state.get("question")
    message = update.effective_message
    assert message is not None
    if not question:
        await answer_question(update, context, (message.text or "").strip())
        return END
    if question.get("options"):
        await send(update, context, T.CHECK_USE_BUTTONS)
        return CHECK_ASKING
    fact = question["fact"]
    state["facts"][fact] = int((message.text or "").strip())
    try:
        return await _check_next(update, context)
    except InvalidInput:  # out of the fact's range: ask again
        del state["facts"][fact]
        await send(update, context, T.CHECK_TYPE_NUMBER)
        return CHECK_ASKING


# -- /bind --------------------------------------------------------------------------------------------------------------------
def _code_of(text: str) -> str | None:
    code = _CODE_CHARS.sub("", text).upper()
    return code if len(code) == BIND_CODE_LENGTH and code.isascii() and code.isalnum() else None


async def bind_start(update: Update, context: BotContext) -> int:
    """/bind: ask for the binding code (or take it from `/bind CODE`)."""
    context.state.pop(CHECK, None)
    context.state.pop(BIND, None)
    code = _code_of("".join(context.args or []))
    if code is not None:
        context.state[BIND] = code
        await send(update, context, T.BIND_ASK_PHONE, _contact_keyboard())
        return BIND_PHONE
    await send(update, context, T.BIND_ASK_CODE)
    return BIND_CODE


async def bind_code(update: Update, context: BotContext) -> int:
    """The code typed by the user; then the request for their contact."""
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    code = _code_of(text)
    if code is not None:
        context.state[BIND] = code
        await send(update, context, T.BIND_ASK_PHONE, _contact_keyboard())
        return BIND_PHONE
    if _CJK.search(text) and len(text) > 4:  # a question, not a code: answer it and leave the binding
        await answer_question(update, context, text[:MAX_QUESTION])
        return END
    await send(update, context, T.BIND_CODE_FORMAT)
    return BIND_CODE


async def bind_contact(update: Update, context: BotContext) -> int:
    """The shared contact: bind when it is the sender's own; clear replies for every refusal."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.contact is not None and user is not None
    if message.contact.user_id != user.id:
        # Someone else's contact card proves nothing about the sender: the API is not even asked.
        logger.info("binding: refused a contact that is not the sender's own")
        await send(update, context, T.BIND_NOT_OWN, _contact_keyboard())
        return BIND_PHONE
    code = context.state.get(BIND)
    if not code:
        await send(update, context, T.BIND_ASK_CODE, ReplyKeyboardRemove())
        return BIND_CODE
    try:
        me = await context.api.bind(chat_user_id=_uid(update), code=code, phone=message.contact.phone_number)
    except RateLimited as exc:
        context.state.pop(BIND, None)
        minutes = max(1, math.ceil(exc.retry_after / 60))
        await send(update, context, render.fmt(T.BIND_LOCKED, minutes=minutes), ReplyKeyboardRemove())
        return END
    except InvalidInput as exc:
        context.state.pop(BIND, None)
        detail = exc.detail.lower()
        if "expired" in detail or "already used" in detail:
            await send(update, context, T.BIND_CODE_DEAD, ReplyKeyboardRemove())
            return END
        if "does not match" in detail:
            await send(update, context, T.BIND_NO_MATCH, ReplyKeyboardRemove())
            return BIND_CODE
        await send(update, context, T.BIND_BAD_PHONE, ReplyKeyboardRemove())
        return END
    context.state.pop(BIND, None)
    if me.get("kind") == "cadre":
        label = ((me.get("cadre") or {}).get("jurisdiction") or {}).get("label", "")
        await send(update, context, render.fmt(T.BIND_OK_CADRE, label=label), ReplyKeyboardRemove())
        with contextlib.suppress(TelegramError):
            await context.bot.set_my_commands(
                _commands(cadre=True), scope=BotCommandScopeChat(_chat_id(update))
            )
    else:
        text = render.fmt(T.BIND_OK_HOUSEHOLD, household_no=me.get("household_no") or "")
        await send(update, context, text, ReplyKeyboardRemove())
    logger.info("binding: a chat user bound (%s)", me.get("kind"))
    return END


async def bind_press_button(update: Update, context: BotContext) -> int:
    """Typed text while the contact is awaited: the phone must come from the button, not the keyboard."""
    await send(update, context, T.BIND_PRESS_BUTTON, _contact_keyboard())
    return BIND_PHONE


async def stray_contact(update: Update, context: BotContext) -> None:
    """A contact outside /bind."""
    await send(update, context, T.CONTACT_OUTSIDE_BIND, ReplyKeyboardRemove())


# -- my household --------------------------------------------------------------------------------------------------------------
async def status(update: Update, context: BotContext) -> None:
    """/status: the bound household's aid status, in the API's own words."""
    await show_status(update, context)


async def show_status(update: Update, context: BotContext) -> None:
    _set_retry(update, context, "status")
    data = await context.api.status(chat_user_id=_uid(update))
    _clear_retry(update, context)
    buttons = [[_button(T.ME_BUTTONS_PAYMENTS, "me:payments"), _button(T.ME_BUTTONS_HELPER, "me:helper")]]
    await send(update, context, render.esc(data.get("summary", "")), _markup(buttons))


async def payments(update: Update, context: BotContext) -> None:
    """/payments [项目]: did the money arrive."""
    await show_payments(update, context, " ".join(context.args or []).strip() or None)


async def show_payments(update: Update, context: BotContext, item: str | None) -> None:
    _set_retry(update, context, "payments", item=item)
    data = await context.api.payments(chat_user_id=_uid(update), item=item)
    _clear_retry(update, context)
    await send(update, context, render.payments(data))


async def helper(update: Update, context: BotContext) -> None:
    """/helper: the household's 帮扶责任人 and their phone."""
    await show_helper(update, context)


async def show_helper(update: Update, context: BotContext) -> None:
    _set_retry(update, context, "helper")
    data = await context.api.status(chat_user_id=_uid(update))
    _clear_retry(update, context)
    await send(update, context, render.helper(data))


async def on_me_button(update: Update, context: BotContext) -> None:
    """我的补贴 / 帮扶责任人 under the status."""
    query = update.callback_query
    assert query is not None
    await _answer_query(update)
    if query.data == "me:payments":
        await show_payments(update, context, None)
    else:
        await show_helper(update, context)


async def unbind(update: Update, context: BotContext) -> None:
    """/unbind: ask first; unbinding cannot be undone without a new code."""
    rows = [[_button(T.UNBIND_YES, "ub:yes"), _button(T.UNBIND_NO, "ub:no")]]
    await send(update, context, T.UNBIND_CONFIRM, _markup(rows))


async def on_unbind_button(update: Update, context: BotContext) -> None:
    """确定解除 / 不解除了."""
    query = update.callback_query
    assert query is not None
    await _answer_query(update)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    if query.data != "ub:yes":
        await send(update, context, T.UNBIND_KEPT)
        return
    result = await context.api.unbind(chat_user_id=_uid(update))
    await send(update, context, T.UNBIND_OK if result.get("unbound") else T.UNBIND_NONE)
    with contextlib.suppress(TelegramError):
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(_chat_id(update)))


# -- cadres ---------------------------------------------------------------------------------------------------------------------------
async def _cadre_call(update: Update, context: BotContext, call: Any) -> Any:
    """Run a cadre API call; a non-cadre or an unknown household gets its own plain reply (None)."""
    try:
        return await call
    except (Forbidden, NotBound):
        await send(update, context, T.CADRE_ONLY)
    except NotFound:
        await send(update, context, T.HOUSEHOLD_NOT_FOUND)
    return None


def _view_buttons(items: list[dict[str, Any]]) -> list[Row]:
    buttons: Row = [
        _button(T.VIEW_BUTTON.format(household_no=h["household_no"]), f"hh:v:{h['household_no']}")
        for h in items
    ]
    return _rows(buttons, 2)


async def search(update: Update, context: BotContext) -> None:
    """/search 关键词: households of the cadre's jurisdiction by name, 户编号 or last 4 of an ID."""
    query = " ".join(context.args or []).strip()
    if len(query) < 2:
        await send(update, context, T.SEARCH_USAGE)
        return
    data = await _cadre_call(
        update, context, context.api.search_households(chat_user_id=_uid(update), query=query)
    )
    if data is not None:
        items = data.get("items") or []
        await send(update, context, render.search_result(query, items), _markup(_view_buttons(items)))


async def households(update: Update, context: BotContext) -> None:
    """/households [页]: the households the cadre looks after, ten at a time."""
    page = int(context.args[0]) if context.args and context.args[0].isdigit() else 1
    await show_households(update, context, page)


async def show_households(update: Update, context: BotContext, page: int) -> None:
    page = max(1, min(page, 100000))
    data = await _cadre_call(update, context, context.api.households(chat_user_id=_uid(update), page=page))
    if data is None:
        return
    rows = _view_buttons(data.get("items") or [])
    if page * int(data.get("page_size", 10)) < int(data.get("total", 0)):
        rows.append([_button(T.NEXT_PAGE, f"hh:p:{page + 1}")])
    await send(update, context, render.households_page(data), _markup(rows))


async def household(update: Update, context: BotContext) -> None:
    """/household 户编号: one household's record (ID and phone numbers masked)."""
    if not context.args:
        await send(update, context, T.HOUSEHOLD_USAGE)
        return
    await show_household(update, context, context.args[0])


async def show_household(update: Update, context: BotContext, household_no: str) -> None:
    data = await _cadre_call(
        update, context, context.api.household(chat_user_id=_uid(update), household_no=household_no)
    )
    if data is not None:
        no = (data.get("household") or {}).get("household_no", household_no)
        await send(
            update, context, render.household_view(data), _markup([[_button(T.CODE_BUTTON, f"hh:c:{no}")]])
        )


async def code(update: Update, context: BotContext) -> None:
    """/code 户编号: a single-use binding code for a household of the cadre's jurisdiction."""
    if not context.args:
        await send(update, context, T.CODE_USAGE)
        return
    await issue_code(update, context, context.args[0])


async def issue_code(update: Update, context: BotContext, household_no: str) -> None:
    data = await _cadre_call(
        update, context, context.api.issue_code(chat_user_id=_uid(update), household_no=household_no)
    )
    if data is not None:
        await send(update, context, render.issued_code(data))


async def on_household_button(update: Update, context: BotContext) -> None:
    """查看 / 生成绑定码 / 下一页 under cadre lists."""
    query = update.callback_query
    assert query is not None
    await _answer_query(update)
    _, action, value = (query.data or "::").split(":", 2)
    if action == "v":
        await show_household(update, context, value)
    elif action == "c":
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)  # one code per tap
        await issue_code(update, context, value)
    elif action == "p" and value.isdigit():
        await show_households(update, context, int(value))


# -- retry and errors ------------------------------------------------------------------------------------------------------------
async def on_retry(update: Update, context: BotContext) -> None:
    """重试: repeat the action that failed when the API was unreachable."""
    query = update.callback_query
    assert query is not None
    await _answer_query(update)
    retry = context.state.get(RETRY, {}).pop((query.data or "").removeprefix("retry:"), None)
    kind = retry.get("kind") if retry else None
    if retry is None or kind is None:
        await send(update, context, T.BUTTON_EXPIRED)
    elif kind == "ask":
        await answer_question(update, context, str(retry["question"]))
    elif kind == "status":
        await show_status(update, context)
    elif kind == "payments":
        await show_payments(update, context, retry.get("item"))
    elif kind == "helper":
        await show_helper(update, context)
    elif kind == "measure":
        await show_measure(update, context, str(retry["measure_id"]))
    else:
        await send(update, context, T.BUTTON_EXPIRED)


def _retry_markup(update: Update, context: BotContext) -> InlineKeyboardMarkup | None:
    retry = context.state.get(RETRY, {}).get(str(update.update_id)) if context.user_data is not None else None
    if not retry:
        return None
    data = "ck:resume" if retry.get("kind") == "check" else f"retry:{update.update_id}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(T.RETRY_BUTTON, callback_data=data)]])


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
    await _answer_query(update)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, text or T.GENERIC_ERROR, reply_markup=markup)


# -- lifecycle ---------------------------------------------------------------------------------------------------------------------
async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Set the command menu (a failure here must not keep the bot from starting)."""
    try:
        await application.bot.set_my_commands(_commands())
    except TelegramError as exc:
        logger.warning("could not set the command menu: %s", type(exc).__name__)


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await cast(ApiClient, application.bot_data["api"]).aclose()


def file_base_url(base_url: str) -> str:
    """`…/bot` → `…/file/bot` (where a local Bot API server serves files)."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


def _conversations() -> list[ConversationHandler[Any]]:
    # The interview's buttons are CallbackQueryHandlers in a per-chat conversation (per_message=False): the
    # state is the user's, and each button is checked against the open question, which PTB cannot know.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        check = ConversationHandler(
            entry_points=[
                CommandHandler("check", check_start),
                CallbackQueryHandler(check_start, pattern=r"^menu:check$"),
                CallbackQueryHandler(check_resume, pattern=r"^ck:resume$"),
                CallbackQueryHandler(check_fresh, pattern=r"^ck:fresh$"),
                CallbackQueryHandler(check_answer, pattern=r"^ck:\d+$"),
                CallbackQueryHandler(check_toggle, pattern=r"^ck:t:\d+$"),
                CallbackQueryHandler(check_done, pattern=r"^ck:done$"),
                CallbackQueryHandler(check_stop, pattern=r"^ck:stop$"),
            ],
            states={
                CHECK_ASKING: [
                    CallbackQueryHandler(check_fresh, pattern=r"^ck:fresh$"),
                    CallbackQueryHandler(check_answer, pattern=r"^ck:\d+$"),
                    CallbackQueryHandler(check_toggle, pattern=r"^ck:t:\d+$"),
                    CallbackQueryHandler(check_done, pattern=r"^ck:done$"),
                    CallbackQueryHandler(check_stop, pattern=r"^ck:stop$"),
                    MessageHandler(filters.Regex(r"^\s*\d{1,3}\s*$"), check_number),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="check",
            persistent=True,
        )
    bind = ConversationHandler(
        entry_points=[CommandHandler("bind", bind_start)],
        states={
            BIND_CODE: [
                MessageHandler(filters.Regex(f"^{T.BIND_CANCEL_BUTTON}$"), cancel),
                MessageHandler(filters.TEXT & ~filters.COMMAND, bind_code),
            ],
            BIND_PHONE: [
                MessageHandler(filters.CONTACT, bind_contact),
                MessageHandler(filters.Regex(f"^{T.BIND_CANCEL_BUTTON}$"), cancel),
                MessageHandler(filters.TEXT & ~filters.COMMAND, bind_press_button),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        allow_reentry=True,
        name="bind",
        persistent=True,
    )
    return [check, bind]


def build_application(
    settings: Settings,
    api: ApiClient,
    *,
    rate_limit: tuple[int, float] = RATE_LIMIT,
    max_concurrent_updates: int = 16,
    persistence_path: Path | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot's `Application`: Telegram at `settings.telegram_api_url`, the API through `api`."""
    if not settings.telegram_token:
        raise ValueError("BANGFU_TELEGRAM_TOKEN is not set")
    path = persistence_path or settings.data_dir / "bot" / "conversations.pickle"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    persistence = PicklePersistence(
        path,
        store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
        update_interval=PERSISTENCE_FLUSH_SECONDS,
    )
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_base_url(settings.telegram_api_url))
        .context_types(ContextTypes(context=BotContext))
        .persistence(persistence)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerUserUpdateProcessor(max_concurrent_updates))
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.update(
        api=api, answers=AnswerCache(), limiter=UserRateLimiter(rate_limit[0], rate_limit[1])
    )
    application.add_handler(TypeHandler(Update, guard), group=-1)
    for conversation in _conversations():
        application.add_handler(conversation)
    message = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("start", start),
            CommandHandler("help", help_command),
            CommandHandler("cancel", cancel),
            CommandHandler("status", status),
            CommandHandler("payments", payments),
            CommandHandler("helper", helper),
            CommandHandler("unbind", unbind),
            CommandHandler("search", search),
            CommandHandler("households", households),
            CommandHandler("household", household),
            CommandHandler("code", code),
            CallbackQueryHandler(on_menu, pattern=r"^menu:"),
            CallbackQueryHandler(on_source, pattern=r"^src:"),
            CallbackQueryHandler(on_feedback, pattern=r"^fb:"),
            CallbackQueryHandler(on_measure, pattern=r"^mc:"),
            CallbackQueryHandler(on_me_button, pattern=r"^me:"),
            CallbackQueryHandler(on_unbind_button, pattern=r"^ub:"),
            CallbackQueryHandler(on_household_button, pattern=r"^hh:"),
            CallbackQueryHandler(on_retry, pattern=r"^retry:"),
            CallbackQueryHandler(on_stale_button),
            MessageHandler(message & filters.CONTACT, stray_contact),
            MessageHandler(message & filters.Regex(f"^{T.BIND_CANCEL_BUTTON}$"), cancel),
            MessageHandler(message & filters.TEXT & ~filters.COMMAND, on_text),
            MessageHandler(message & filters.COMMAND, on_unknown_command),
            MessageHandler(message, on_other_message),
        ]
    )
    application.add_error_handler(on_error)
    return application
