"""`python -m bot` in webhook mode (bot.__main__): the secret token is checked; updates are answered."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from bot.__main__ import (
    SECRET_HEADER,
    BotSettings,
    channel_key,
    run_webhook,
    webhook_app,
    webhook_server,
)
from bot.api_client import ApiClient
from bot.app import build_application
from tests.bot.conftest import TOKEN
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.helpers import shown
from tests.conftest import free_port, make_settings


def test_the_webhook_checks_the_secret_token(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", telegram_token=TOKEN)
    application = build_application(
        settings, ApiClient("http://127.0.0.1:9", None), persistence_path=tmp_path / "s"
    )
    app = webhook_app(application, "s3cret-s3cret-s3cret", "/telegram")
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"},
    }
    with TestClient(app) as client:
        assert client.post("/telegram", json=update).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-s3cret-s3creT"}
        assert client.post("/telegram", json=update, headers=wrong).status_code == 403
        assert application.update_queue.qsize() == 0
        right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-s3cret-s3cret"}
        assert client.post("/telegram", json=update, headers=right).status_code == 200
        assert application.update_queue.qsize() == 1


def test_webhook_mode_registers_its_secret_and_answers_updates(
    tmp_path: Path, bot_data_dir: Path, api_url: str
) -> None:
    fake = FakeTelegram(TOKEN).start()
    port = free_port()
    settings = BotSettings(
        data_dir=bot_data_dir,
        telegram_token=TOKEN,
        telegram_api_url=fake.base_url,
        api_url=api_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram",
        telegram_webhook_port=port,
    )
    application = build_application(
        settings, ApiClient(api_url, channel_key(settings)), persistence_path=tmp_path / "state.pickle"
    )
    server = webhook_server(application, settings)
    thread = threading.Thread(target=lambda: asyncio.run(run_webhook(application, settings, server)))
    thread.start()
    try:
        fake.wait_for(lambda: bool(server.started), what="the webhook server")
        registered = fake.calls("setWebhook")[0].params
        secret = settings.dev_secret("telegram_webhook_secret")
        assert registered["url"] == settings.telegram_webhook_url and registered["secret_token"] == secret
        user = fake.user(3101)
        update = {"update_id": 1, "message": {**user._message(text="/help"), "entities": []}}
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
        url = settings.telegram_webhook_url
        assert httpx.post(url, json=update, headers={SECRET_HEADER: secret[:-1] + "x"}).status_code == 403
        assert httpx.post(url, json=update, headers={SECRET_HEADER: secret}).status_code == 200
        fake.wait_for(lambda: bool(fake.sent_to(user.id)), what="the reply to a webhook update")
        assert shown(fake.sent_to(user.id)[0]).startswith("怎么用帮扶通")
    finally:
        server.should_exit = True
        thread.join(30)
        fake.stop()
    assert not thread.is_alive()
