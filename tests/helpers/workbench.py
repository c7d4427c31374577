"""A county for workbench tests: the real corpus, the household sample, keys, cadres of two villages and the
county, bound villagers, and browsers that sign in with a link from the API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from core.records.audit import CLI_ADMIN
from core.records.db import temporary_schema
from core.records.households import HouseholdRow, Jurisdiction
from core.services import Services, build_services
from core.settings import Settings
from ingest.households import read_batch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = read_batch(ROOT / "examples" / "households.xlsx")
CHANNEL_KEY = "channel-key-for-tests-0123456789"
SECRET = "test-secret-key-0123456789abcdef"


def first_in(village: str) -> HouseholdRow:
    return next(h for h in SAMPLE.households if h.village == village)


LIUWAN, BAISHA = first_in("柳湾村"), first_in("白沙村")  # 青禾镇柳湾村 and 白沙乡白沙村

CADRES = {  # chat user id → (jurisdiction, phone)
    "cadre-liuwan": (Jurisdiction.of_village("青禾镇", "柳湾村"), "13900000011"),
    "cadre-baisha": (Jurisdiction.of_village("白沙乡", "白沙村"), "13900000012"),
    "cadre-county": (Jurisdiction.county(), "13900000013"),
}
VILLAGERS = {"villager-liuwan": LIUWAN, "villager-baisha": BAISHA}


@dataclass
class Browser:
    """A browser signed in to the workbench: its own cookie jar, and the CSRF token its page would send."""

    client: TestClient
    csrf: str

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def send(self, method: str, path: str, *, csrf: bool = True, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return self.client.request(method, path, headers=headers, **kw)


@dataclass
class County:
    app: Any
    client: TestClient
    services: Services
    settings: Settings
    admin_key: str
    portal_key: str
    browsers: list[TestClient] = field(default_factory=list)

    def chat(self, chat_user_id: str, key: str = CHANNEL_KEY) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Chat-User-Id": chat_user_id}

    @property
    def admin(self) -> dict[str, str]:
        return {"X-API-Key": self.admin_key}

    def link(self, headers: dict[str, str]) -> str:
        r = self.client.post("/v1/workbench/links", headers=headers)
        assert r.status_code == 201, r.text
        return str(r.json()["url"]).split("token=", 1)[1]

    def browser(self, *, base_url: str = "http://testserver") -> TestClient:
        client = TestClient(self.app, base_url=base_url, raise_server_exceptions=False)
        self.browsers.append(client)
        return client

    def sign_in(self, chat_user_id: str | None = None) -> Browser:
        """A new browser signed in by a link the bot would get for the cadre (or the admin, with None)."""
        token = self.link(self.chat(chat_user_id) if chat_user_id else self.admin)
        client = self.browser()
        r = client.post("/workbench/signin", data={"token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
        me = client.get("/v1/workbench/me")
        assert me.status_code == 200, me.text
        return Browser(client, me.json()["csrf"])


@contextmanager
def county(corpus_data_dir: Path, tmp: Path, database: str, pg_url: str | None) -> Iterator[County]:
    """The county over a private copy of the ingested corpus, on SQLite or in a fresh PostgreSQL schema."""
    data_dir = tmp / "data"
    shutil.copytree(corpus_data_dir, data_dir)
    schema = temporary_schema(pg_url) if database == "postgresql" and pg_url else None
    with schema or nullcontext(None) as url:
        settings = Settings(
            data_dir=data_dir,
            reload_interval=0.0,
            env="production",
            secret_key=SECRET,
            api_key=CHANNEL_KEY,
            database_url=url,
            policies_dir=ROOT / "policies",
        )
        services = build_services(settings)
        try:
            app = create_app(services=services)
            client = TestClient(app, raise_server_exceptions=False)
            services.households.import_batch(SAMPLE)
            identity = services.identity
            world = County(
                app=app,
                client=client,
                services=services,
                settings=settings,
                admin_key=identity.create_client(name="bureau", role="admin")[1],
                portal_key=identity.create_client(name="portal", role="portal")[1],
            )
            for chat_user_id, (area, phone) in CADRES.items():
                cadre = identity.create_cadre(
                    name=f"干部{chat_user_id[-2:]}", phone=phone, jurisdiction=area, actor=CLI_ADMIN
                )
                code = identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code
                _bind(world, chat_user_id, code, phone)
            for chat_user_id, household in VILLAGERS.items():
                code = identity.issue_household_code(
                    household_no=household.household_no, actor=CLI_ADMIN
                ).code
                assert household.phone is not None
                _bind(world, chat_user_id, code, household.phone)
            yield world
        finally:
            services.close()


def _bind(world: County, chat_user_id: str, code: str, phone: str) -> None:
    r = world.client.post(
        "/v1/me/bind",
        headers=world.chat(chat_user_id),
        json={"code": code, "phone": phone, "phone_verified": True},
    )
    assert r.status_code == 200, r.text
