"""`python -m bot`: run the Telegram bot — long polling, or a webhook when `BANGFU_TELEGRAM_WEBHOOK_URL` is set.

    BANGFU_TELEGRAM_TOKEN=123:abc python -m bot                                # API at BANGFU_API_URL
    BANGFU_TELEGRAM_API_URL=http://127.0.0.1:8081/bot python -m bot             # a local Bot API server
    BANGFU_TELEGRAM_WEBHOOK_URL=https://bot.example.org/tg python -m bot        # webhook, secret token checked

In development (`BANGFU_ENV=development`) the bot reads the channel key the API generated into the shared data
dir, so `python -m api` and `python -m bot` find each other with no other setup.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import sys
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.api_client import ApiClient
from bot.app import build_application
from core.ops.logs import LogFormat
from core.records.pii import install_log_masking
from core.settings import Settings

logger = logging.getLogger("bot")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # what Telegram accepts as a secret_token


class BotSettings(Settings):
    """The shared settings plus the bot's webhook mode (unset URL → long polling)."""

    telegram_webhook_url: str | None = Field(
        None, description="public HTTPS URL Telegram posts updates to; unset uses long polling"
    )
    telegram_webhook_secret: str | None = Field(
        None, description="secret Telegram sends with every update (generated in development)"
    )
    telegram_webhook_listen: str = Field("127.0.0.1", description="address the webhook server binds")
    telegram_webhook_port: int = Field(8443, ge=1, le=65535, description="port the webhook server binds")

    @model_validator(mode="after")
    def _webhook_secret(self) -> BotSettings:
        secret = self.telegram_webhook_secret
        if self.telegram_webhook_url and self.is_production and not secret:
            raise ValueError("BANGFU_TELEGRAM_WEBHOOK_SECRET must be set for a webhook in production")
        if secret is not None and not _SECRET_SHAPE.match(secret):
            raise ValueError("BANGFU_TELEGRAM_WEBHOOK_SECRET has 16–256 letters, digits, _ or -")
        return self


def channel_key(settings: Settings) -> str | None:
    """The key the bot presents to the API: BANGFU_API_KEY, or in development the one in the data dir."""
    if settings.api_key:
        return settings.api_key
    return None if settings.is_production else settings.dev_secret("channel_api_key")


def webhook_secret(settings: BotSettings) -> str:
    return settings.telegram_webhook_secret or settings.dev_secret("telegram_webhook_secret")


class RedactToken(logging.Filter):
    """Replaces the bot token in any log record (PTB and httpx put it in URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, "<token>"), None
        return True


def configure_logging(token: str | None, level: int = logging.INFO, fmt: LogFormat = "json") -> None:
    """Log to stderr (JSON lines by default) with ID/phone numbers masked and the token redacted."""
    from core.ops.logs import configure_logging as configure_core_logging

    configure_core_logging(fmt, level)
    install_log_masking()
    if token:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, RedactToken) for f in handler.filters):
                handler.addFilter(RedactToken(token))


def webhook_app(application: Application[Any, Any, Any, Any, Any, Any], secret: str, path: str) -> Starlette:
    """A small ASGI app that queues Telegram's updates for `application` (PTB's customwebhookbot pattern).

    Unlike PTB's built-in webhook server, the secret token is compared in constant time.
    """
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        length = request.headers.get("content-length") or "0"
        if not length.isdigit() or int(length) > MAX_UPDATE_BYTES:
            return Response(status_code=413)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return Response(status_code=400)
        if update is not None:
            await application.update_queue.put(update)
        return Response()

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, telegram, methods=["POST"]), Route("/healthz", health)])


def webhook_server(application: Application[Any, Any, Any, Any, Any, Any], settings: BotSettings) -> Any:
    """The uvicorn server of the webhook (stopped by SIGINT/SIGTERM, or by setting `should_exit`)."""
    import uvicorn

    assert settings.telegram_webhook_url
    path = urlsplit(settings.telegram_webhook_url).path or "/"
    config = uvicorn.Config(
        webhook_app(application, webhook_secret(settings), path),
        host=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        log_level="warning",
        log_config=None,
    )
    return uvicorn.Server(config)


async def run_webhook(
    application: Application[Any, Any, Any, Any, Any, Any], settings: BotSettings, server: Any = None
) -> None:
    """Register the webhook with its secret token at Telegram and serve it until the server stops."""
    assert settings.telegram_webhook_url
    secret = webhook_secret(settings)
    server = server or webhook_server(application, settings)
    async with application:
        await application.bot.set_webhook(
            url=settings.telegram_webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        if application.post_init:
            await application.post_init(application)
        await application.start()
        try:
            await server.serve()
        finally:
            await application.stop()
            if application.post_shutdown:
                await application.post_shutdown(application)


def main() -> int:
    """Run the bot; returns the exit status."""
    try:
        settings = BotSettings()
    except Exception as exc:  # a ValidationError, or a ConfigError for unsafe production settings
        print(f"bot: configuration error: {exc}", file=sys.stderr)
        return 2
    level = logging.getLevelNamesMapping()[settings.log_level]
    configure_logging(settings.telegram_token, level, fmt=settings.log_format)
    if not settings.telegram_token:
        print("bot: BANGFU_TELEGRAM_TOKEN is not set", file=sys.stderr)
        return 2
    # Opt in to PTB's durations as timedelta: otherwise every flood-control RetryAfter warns of the change.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    api = ApiClient(settings.api_url, channel_key(settings))
    application = build_application(settings, api)
    if settings.telegram_webhook_url:
        logger.info(
            "webhook mode on %s:%d; API at %s",
            settings.telegram_webhook_listen,
            settings.telegram_webhook_port,
            settings.api_url,
        )
        asyncio.run(run_webhook(application, settings))
    else:
        logger.info("long polling; API at %s", settings.api_url)
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
