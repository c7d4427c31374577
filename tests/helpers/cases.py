"""A production-mode API over the sample households for the case tests: cadres of two villages, a township and the
county, two bound households, keys of every role, and a clock the test moves. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

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
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4


def first_in(village: str) -> HouseholdRow:
    return next(h for h in SAMPLE.households if h.village == village)


H1, H2 = first_in("柳湾村"), first_in("白沙村")  # 青禾镇柳湾村 and 白沙乡白沙村


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class CaseWorld:
    client: TestClient
    services: Services
    clock: Clock
    portal_key: str
    admin_key: str
    other_channel_key: str

    def chat(self, chat_user_id: str, key: str = CHANNEL_KEY) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Chat-User-Id": chat_user_id}

    def admin(self) -> dict[str, str]:
        return {"X-API-Key": self.admin_key}

    def report(self, chat_user_id: str, **body: Any) -> Response:
        body = {"category": "因病", "description": "老人住院了，花了很多钱"} | body
        return self.client.post("/v1/me/reports", headers=self.chat(chat_user_id), json=body)

    def act(self, who: str, case_id: str, **body: Any) -> Response:
        headers = self.admin() if who == "admin" else self.chat(who)
        return self.client.post(f"/v1/cases/{case_id}/actions", headers=headers, json=body)


CADRES = {
    "cadre-a": (Jurisdiction.of_village("青禾镇", "柳湾村"), "13900000011"),
    "cadre-b": (Jurisdiction.of_village("白沙乡", "白沙村"), "13900000012"),
    "cadre-t": (Jurisdiction.of_township("青禾镇"), "13900000013"),
    "cadre-c": (Jurisdiction.county(), "13900000014"),
}


def _bind(client: TestClient, chat_user_id: str, code: str, phone: str) -> None:
    r = client.post(
        "/v1/me/bind",
        headers={"Authorization": f"Bearer {CHANNEL_KEY}", "X-Chat-User-Id": chat_user_id},
        json={"code": code, "phone": phone, "phone_verified": True},
    )
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def case_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CaseWorld]:
    values = {
        "data_dir": tmp_path_factory.mktemp("cases"),
        "env": "production",
        "secret_key": "test-secret-key-0123456789abcdef",
        "api_key": CHANNEL_KEY,
        "case_attachment_max_bytes": 4096,
    }
    schema = temporary_schema(request.getfixturevalue("pg_url")) if request.param == "postgresql" else None
    with schema or nullcontext(None) as url:
        settings = Settings(**values, database_url=url)  # type: ignore[arg-type]
        clock = Clock(datetime(2024, 9, 30, 2, 0, tzinfo=UTC))  # Monday 9月30日, before 国庆
        services = build_services(settings, clock=clock)
        try:
            with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
                services.households.import_batch(SAMPLE)
                identity = services.identity
                world = CaseWorld(
                    client=client,
                    services=services,
                    clock=clock,
                    portal_key=identity.create_client(name="portal", role="portal")[1],
                    admin_key=identity.create_client(name="bureau", role="admin")[1],
                    other_channel_key=identity.create_client(name="wechat", role="channel")[1],
                )
                for chat_user_id, (jurisdiction, phone) in CADRES.items():
                    cadre = identity.create_cadre(
                        name="干部", phone=phone, jurisdiction=jurisdiction, actor=CLI_ADMIN
                    )
                    code = identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code
                    _bind(client, chat_user_id, code, phone)
                for chat_user_id, household in (("villager-1", H1), ("villager-2", H2)):
                    code = identity.issue_household_code(
                        household_no=household.household_no, actor=CLI_ADMIN
                    ).code
                    assert household.phone is not None
                    _bind(client, chat_user_id, code, household.phone)
                yield world
        finally:
            services.close()
