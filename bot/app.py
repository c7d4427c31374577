"""The Telegram bot: `build_application(settings, api)` wires each flow's handlers, persistence and flood control.

The bot holds no data of its own: every answer, screening and household record comes from the API through
`bot.api_client.ApiClient`. One module per flow under `bot.flows`; handlers, in the order PTB tries them:

- group -1, `common.guard`: private chats only; the per-user rate limit (`bot.ratelimit`).
- group 0: the /check interview (`flows.check`), the /bind conversation (`flows.bind`), the /report
  conversation (`flows.report`) and a cadre's step on a case (`flows.cases`), persistent `ConversationHandler`s; then /start, /help, /cancel, the menu and 重试 (`flows.common`); the household's own
  status and payments (`flows.me`); cadre lookups (`flows.cadre`); /myreports and /cases; a stray contact (`flows.bind`); the answer
  buttons and free text → `POST /v1/ask` (`flows.questions`); last, the fallbacks of `flows.common`.

API errors raised by a callback reach the one error handler, `common.on_error`. Buttons' callback data is built
and parsed in `bot.callbacks`; what is remembered per user is `bot.state.UserState`, typed through
`bot.context.BotContext`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    Defaults,
    PersistenceInput,
    TypeHandler,
)

from bot import notify
from bot.api_client import ApiClient
from bot.chat import commands
from bot.context import CONTEXT_TYPES, AnswerCache
from bot.flows import bind, cadre, cases, check, common, me, questions, report
from bot.ratelimit import PerUserUpdateProcessor, UserRateLimiter
from bot.state import StatePersistence
from core.settings import Settings

logger = logging.getLogger(__name__)

RATE_LIMIT = (30, 60.0)  # updates per user per window (seconds)
PERSISTENCE_FLUSH_SECONDS = 5.0


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Set the command menu (a failure here must not keep the bot from starting)."""
    try:
        await application.bot.set_my_commands(commands())
    except TelegramError as exc:
        logger.warning("could not set the command menu: %s", type(exc).__name__)


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await cast(ApiClient, application.bot_data["api"]).aclose()


def file_base_url(base_url: str) -> str:
    """`…/bot` → `…/file/bot` (where a local Bot API server serves files)."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


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
    persistence = StatePersistence(
        path,
        store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
        update_interval=PERSISTENCE_FLUSH_SECONDS,
        context_types=CONTEXT_TYPES,
    )
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_base_url(settings.telegram_api_url))
        .context_types(CONTEXT_TYPES)
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
    application.add_handler(TypeHandler(Update, common.guard), group=-1)
    application.add_handlers(
        [
            check.conversation(),
            bind.conversation(),
            report.conversation(),
            cases.conversation(),
            *common.handlers(),  # before free text: the 取消 key is text too
            *me.handlers(),
            *cadre.handlers(),
            *report.handlers(),
            *cases.handlers(),
            *bind.handlers(),
            *questions.handlers(),  # free text takes whatever text is left
            *common.fallbacks(),
        ]
    )
    application.add_error_handler(common.on_error)
    if application.job_queue is not None:  # the job-queue extra is a dependency; checked for a clear failure
        notify.schedule(application.job_queue, settings)
    else:
        logger.error("no job queue: install python-telegram-bot[job-queue]; case notifications are not sent")
    return application
