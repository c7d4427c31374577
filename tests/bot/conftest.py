"""The bot against the real API over HTTP and a fake Telegram Bot API server.

- `bot_services`: core services over a private copy of the ingested corpus (the shared embedder), with the
  fictional sample households imported and a cadre account for 青禾镇柳湾村.
- `api_url`: the real API (`create_app(services=bot_services)`) served by uvicorn on a free port.
- `bot`: a fresh fake Telegram server and the real `Application` (`build_application`) running its real polling
  loop in a thread, in development mode, so it finds the channel key in the data dir like `python -m bot`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import channel_key
from bot.api_client import ApiClient
from bot.app import build_application
from core.settings import Settings
from tests.bot.fake_telegram import FakeTelegram, FakeUser
from tests.conftest import free_port, make_settings
from tests.helpers.server import ServerThread

# As `python -m bot` does: PTB's RetryAfter otherwise warns (an error here) about its future timedelta type.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# The bot fetches case notifications from the API's outbox every half second in tests (15 s in production).
os.environ.setdefault("BANGFU_CASE_NOTIFY_INTERVAL", "0.5")

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:TEST-token-that-must-never-be-logged"
CADRE_PHONE = "13900000099"
LONG_PAYMENTS = 150  # payments of one household: their list is over 4,096 characters


@dataclass
class World:
    """The sample data the tests bind to (all fictional; see examples/make_households.py)."""

    services: Any
    households: list[Any]
    cadre_id: int
    long_household: str

    def household(self, village: str, index: int = 0) -> Any:
        return [h for h in self.households if h.village == village][index]

    def code_for(self, household_no: str) -> str:
        from core.records.audit import CLI_ADMIN

        return str(
            self.services.identity.issue_household_code(household_no=household_no, actor=CLI_ADMIN).code
        )

    def cadre_code(self) -> str:
        from core.records.audit import CLI_ADMIN

        return str(self.services.identity.issue_cadre_code(cadre_id=self.cadre_id, actor=CLI_ADMIN).code)


@pytest.fixture(scope="session")
def bot_data_dir(corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the ingested data dir: the bot tests import households and bind accounts in it."""
    target = tmp_path_factory.mktemp("bot") / "data"
    shutil.copytree(corpus_data_dir, target)
    return target


@pytest.fixture(scope="session")
def world(bot_data_dir: Path, corpus_services: Any) -> Iterator[World]:
    from core.records.audit import CLI_ADMIN
    from core.records.households import Jurisdiction, PaymentRow
    from core.services import build_services
    from ingest.households import read_batch

    services = build_services(
        make_settings(bot_data_dir, reload_interval=3600.0), embedder=corpus_services.embedder
    )
    services.knowledge.current()
    batch = read_batch(ROOT / "examples" / "households.xlsx")
    liuwan = [h for h in batch.households if h.village == "柳湾村"]
    long_no = liuwan[-1].household_no
    start = date(2012, 1, 15)
    extra = [
        PaymentRow(
            where=f"test row {i}",
            household_no=long_no,
            item="公益岗位工资",
            amount=Decimal("500"),
            paid_on=start + timedelta(days=30 * i),
            channel="一卡通",
            measure_id="public-welfare-job",
        )
        for i in range(LONG_PAYMENTS)
    ]
    batch = replace(batch, payments=[p for p in batch.payments if p.household_no != long_no] + extra)
    services.households.import_batch(batch)
    cadre = services.identity.create_cadre(
        name="周文斌",
        phone=CADRE_PHONE,
        jurisdiction=Jurisdiction.of_village("青禾镇", "柳湾村"),
        actor=CLI_ADMIN,
    )
    yield World(services=services, households=batch.households, cadre_id=cadre.id, long_household=long_no)
    services.close()


def serve_api(services: Any, port: int) -> ServerThread:
    from api.app import create_app

    return ServerThread(create_app(services=services), port).start()


@pytest.fixture(scope="session")
def api_url(world: World) -> Iterator[str]:
    server = serve_api(world.services, free_port())
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


class BotRunner:
    """The bot's real `run_polling` in a thread with its own event loop; `stop` is a graceful shutdown."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.loop: asyncio.AbstractEventLoop | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bot", daemon=True)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.application.run_polling(stop_signals=None, timeout=1, poll_interval=0)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def start(self) -> BotRunner:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not (self.application.running and self.application.updater.running):
            if self.error or not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start: {self.error!r}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.loop is not None and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        assert not self.thread.is_alive(), "the bot did not stop"
        if self.error:
            raise self.error


@dataclass
class Harness:
    """A running bot, the fake Telegram it talks to, and a way to restart it."""

    fake: FakeTelegram
    settings: Settings
    make: Callable[[], Any]
    runner: BotRunner

    def user(self, user_id: int, name: str = "用户") -> FakeUser:
        return self.fake.user(user_id, name)

    def restart(self) -> None:
        """Stop the bot (its state is flushed to the persistence file) and start a new one on that file."""
        self.runner.stop()
        self.runner = BotRunner(self.make()).start()


def start_bot(tmp_path: Path, data_dir: Path, api: str, **build: Any) -> Harness:
    fake = FakeTelegram(TOKEN).start()
    settings = make_settings(data_dir, telegram_token=TOKEN, telegram_api_url=fake.base_url, api_url=api)
    state = tmp_path / "bot-state.pickle"
    build.setdefault("rate_limit", (1000, 60.0))

    def make() -> Any:
        client = ApiClient(settings.api_url, channel_key(settings))
        return build_application(settings, client, persistence_path=state, **build)

    return Harness(fake=fake, settings=settings, make=make, runner=BotRunner(make()).start())


@pytest.fixture
def harness_factory(tmp_path: Path, bot_data_dir: Path, world: World) -> Iterator[Callable[..., Harness]]:
    started: list[Harness] = []

    def factory(api: str, **build: Any) -> Harness:
        harness = start_bot(tmp_path, bot_data_dir, api, **build)
        started.append(harness)
        return harness

    yield factory
    for harness in started:
        try:
            harness.runner.stop()
        finally:
            harness.fake.stop()


@pytest.fixture
def bot(harness_factory: Callable[..., Harness], api_url: str) -> Harness:
    return harness_factory(api_url)
