"""Every household endpoint tried by everyone who must not get through (OWASP API1 BOLA, API3 data exposure).

Callers: no key, a wrong key, a portal key, an admin key, the channel without a chat user, an unbound chat
user, a chat user of another channel, another household's binding, and a cadre of another village. All are
refused with an `{"error", "detail"}` body that carries none of the target household's data, and a refused
request writes nothing (no audit record, no code, no unbinding). On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from api.app import create_app
from core.records.audit import CLI_ADMIN, AuditRecord
from core.records.db import temporary_schema
from core.records.households import HouseholdRow, Jurisdiction
from core.records.identity import BindingCode, ChatBinding
from core.services import Services
from core.settings import Settings
from ingest.households import read_batch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = read_batch(ROOT / "examples" / "households.xlsx")
CHANNEL_KEY = "channel-key-for-tests-0123456789"


def first_in(village: str) -> HouseholdRow:
    return next(h for h in SAMPLE.households if h.village == village)


H1, H2 = first_in("柳湾村"), first_in("白沙村")  # 青禾镇柳湾村 and 白沙乡白沙村


def markers(household: HouseholdRow) -> list[str]:
    """Strings that would show a response exposes the household's data."""
    assert household.phone is not None
    members = [m for m in SAMPLE.members if m.household_no == household.household_no]
    return [
        household.household_no,
        household.head_name,
        household.phone,
        household.phone[:3] + "****" + household.phone[-4:],
        *(m.name for m in members),
        *(m.id_number for m in members),
        *(m.id_number[-4:] for m in members),
    ]


@dataclass
class World:
    client: TestClient
    services: Services
    portal_key: str
    admin_key: str
    other_channel_key: str

    def chat(self, chat_user_id: str, key: str = CHANNEL_KEY) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Chat-User-Id": chat_user_id}

    def h1_footprint(self) -> tuple[int, int, int]:
        """Audit records, binding codes and chat bindings of H1: a refused request changes none."""
        with self.services.db.read_session() as session:
            from core.records.households import Household

            h1_id = session.scalar(select(Household.id).where(Household.household_no == H1.household_no))
            return (
                session.scalar(
                    select(func.count())
                    .select_from(AuditRecord)
                    .where(AuditRecord.household_no == H1.household_no)
                )
                or 0,
                session.scalar(
                    select(func.count()).select_from(BindingCode).where(BindingCode.household_id == h1_id)
                )
                or 0,
                session.scalar(
                    select(func.count()).select_from(ChatBinding).where(ChatBinding.household_id == h1_id)
                )
                or 0,
            )


def _bind(world: World, chat_user_id: str, code: str, phone: str) -> None:
    r = world.client.post(
        "/v1/me/bind",
        headers=world.chat(chat_user_id),
        json={"code": code, "phone": phone, "phone_verified": True},
    )
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    values = {
        "data_dir": tmp_path_factory.mktemp("authz"),
        "env": "production",  # the strictest setting: every endpoint needs a key
        "secret_key": "test-secret-key-0123456789abcdef",
        "api_key": CHANNEL_KEY,
    }
    schema = temporary_schema(request.getfixturevalue("pg_url")) if request.param == "postgresql" else None
    with schema or nullcontext(None) as url:
        settings = Settings(**values, database_url=url)  # type: ignore[arg-type]
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            services: Services = app.state.services
            services.households.import_batch(SAMPLE)
            identity = services.identity
            world = World(
                client=client,
                services=services,
                portal_key=identity.create_client(name="portal", role="portal")[1],
                admin_key=identity.create_client(name="bureau", role="admin")[1],
                other_channel_key=identity.create_client(name="wechat", role="channel")[1],
            )
            for chat_user_id, village, phone in (
                ("cadre-a", Jurisdiction.of_village("青禾镇", "柳湾村"), "13900000011"),
                ("cadre-b", Jurisdiction.of_village("白沙乡", "白沙村"), "13900000012"),
            ):
                cadre = identity.create_cadre(name="干部", phone=phone, jurisdiction=village, actor=CLI_ADMIN)
                _bind(
                    world,
                    chat_user_id,
                    identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code,
                    phone,
                )
            for chat_user_id, household in (("villager-1", H1), ("villager-2", H2)):
                code = identity.issue_household_code(
                    household_no=household.household_no, actor=CLI_ADMIN
                ).code
                assert household.phone is not None
                _bind(world, chat_user_id, code, household.phone)
            yield world


CADRE_ENDPOINTS = [
    ("GET", "/v1/households", None),
    ("POST", "/v1/households/search", {"query": H1.head_name}),
    ("GET", f"/v1/households/{H1.household_no}", None),
    ("POST", f"/v1/households/{H1.household_no}/codes", None),
    ("POST", f"/v1/households/{H1.household_no}/unbind", None),
]
ME_ENDPOINTS = [
    ("GET", "/v1/me/status", None),
    ("GET", "/v1/me/payments", None),
    ("GET", "/v1/me", None),
    ("POST", "/v1/me/eligibility", {}),
]
ADMIN_ENDPOINTS = [
    ("GET", "/v1/admin/cadres", None),
    ("POST", "/v1/admin/cadres", {"name": "x", "phone": "13900000099", "level": "county"}),
    ("POST", "/v1/admin/cadres/1/codes", None),
    ("POST", "/v1/admin/cadres/1/deactivate", None),
    ("POST", f"/v1/admin/households/{H1.household_no}/codes", None),
    ("POST", "/v1/admin/clients", {"name": "evil", "role": "admin"}),
    ("GET", "/v1/admin/clients", None),
    ("POST", "/v1/admin/clients/portal/rotate", {"grace_hours": 0}),  # would end the portal key used below
    ("POST", "/v1/admin/clients/portal/revoke", None),
]
ALL_ENDPOINTS = CADRE_ENDPOINTS + ME_ENDPOINTS + ADMIN_ENDPOINTS


def callers(world: World) -> dict[str, tuple[dict[str, str], set[int]]]:
    """Who tries, with which headers, and the statuses that count as a refusal for them."""
    return {
        "no key": ({"X-Chat-User-Id": "villager-1"}, {401}),
        "wrong key": ({"Authorization": "Bearer not-a-key", "X-Chat-User-Id": "villager-1"}, {401}),
        "portal key": ({"X-API-Key": world.portal_key, "X-Chat-User-Id": "villager-1"}, {403}),
        "channel, no chat user": ({"Authorization": f"Bearer {CHANNEL_KEY}"}, {403, 422}),
        "unbound chat user": (world.chat("stranger"), {403}),
        "another channel's user": (world.chat("villager-1", world.other_channel_key), {403}),
    }


def call(world: World, method: str, path: str, body: object, headers: dict[str, str]) -> Response:
    return world.client.request(method, path, headers=headers, json=body)


def assert_refused(r: Response, statuses: set[int], who: str, path: str) -> None:
    assert r.status_code in statuses, f"{who} on {path}: {r.status_code} {r.text}"
    assert set(r.json()) == {"error", "detail"}, f"{who} on {path}: {r.text}"
    for marker in markers(H1):
        assert marker not in r.text, f"{who} on {path} leaked {marker!r}"


def test_every_household_endpoint_refuses_callers_without_a_fitting_binding(world: World) -> None:
    before = world.h1_footprint()
    for who, (headers, statuses) in callers(world).items():
        for method, path, body in ALL_ENDPOINTS:
            if path == "/v1/me" and who in ("unbound chat user", "another channel's user"):
                continue  # may ask whether they are bound: answered below
            assert_refused(call(world, method, path, body, headers), statuses, who, path)
    assert world.h1_footprint() == before


def test_an_admin_key_is_not_a_chat_user_or_a_cadre(world: World) -> None:
    before = world.h1_footprint()
    headers = {"X-API-Key": world.admin_key, "X-Chat-User-Id": "villager-1"}
    for method, path, body in CADRE_ENDPOINTS + ME_ENDPOINTS:
        assert_refused(call(world, method, path, body, headers), {403}, "admin", path)
    assert world.h1_footprint() == before


def test_another_households_binding_sees_only_its_own_household(world: World) -> None:
    before = world.h1_footprint()
    for method, path, body in CADRE_ENDPOINTS:
        assert_refused(call(world, method, path, body, world.chat("villager-2")), {403}, "villager-2", path)
    # The /v1/me endpoints take no household from the caller: they answer for the bound household only.
    for path in ("/v1/me/status", "/v1/me/payments", "/v1/me"):
        r = world.client.get(path, headers=world.chat("villager-2"))
        assert r.status_code == 200
        assert H2.household_no in r.text or path == "/v1/me/payments"
        for marker in markers(H1):
            assert marker not in r.text, f"villager-2 on {path} leaked {marker!r}"
    # Even its own household is not reachable through the cadre endpoints.
    own = world.client.get(f"/v1/households/{H2.household_no}", headers=world.chat("villager-2"))
    assert own.status_code == 403
    assert world.h1_footprint() == before


def test_a_cadre_of_another_village_gets_nothing_of_h1(world: World) -> None:
    before = world.h1_footprint()
    cadre_b = world.chat("cadre-b")
    for method, path, body in CADRE_ENDPOINTS[2:]:
        assert_refused(call(world, method, path, body, cadre_b), {404}, "cadre-b", path)
    listing = world.client.get("/v1/households", headers=cadre_b, params={"page_size": 100})
    found = world.client.post("/v1/households/search", headers=cadre_b, json={"query": H1.head_name})
    by_no = world.client.post("/v1/households/search", headers=cadre_b, json={"query": H1.household_no})
    for r in (listing, found, by_no):
        assert r.status_code == 200
        assert H1.household_no not in r.text and H1.head_name not in r.text
    assert {i["village"] for i in listing.json()["items"]} == {"白沙村"}
    assert found.json()["items"] == [] and by_no.json()["items"] == []
    for method, path, body in ME_ENDPOINTS[:2]:  # a cadre account has no household status
        assert_refused(call(world, method, path, body, cadre_b), {403}, "cadre-b", path)
    assert world.h1_footprint() == before


def test_the_right_cadre_and_the_household_itself_get_through(world: World) -> None:
    view = world.client.get(f"/v1/households/{H1.household_no}", headers=world.chat("cadre-a"))
    assert view.status_code == 200 and view.json()["household"]["household_no"] == H1.household_no
    status = world.client.get("/v1/me/status", headers=world.chat("villager-1"))
    assert status.status_code == 200 and status.json()["household"]["household_no"] == H1.household_no
    assert H1.phone and H1.phone not in status.text and H1.phone not in view.text


def test_unbound_users_may_ask_whether_they_are_bound(world: World) -> None:
    for headers in (world.chat("stranger"), world.chat("villager-1", world.other_channel_key)):
        r = world.client.get("/v1/me", headers=headers)
        assert r.status_code == 200 and r.json() == {
            "bound": False,
            "kind": None,
            "household_no": None,
            "cadre": None,
        }


def test_public_endpoints_need_a_key_in_production(world: World) -> None:
    assert world.client.get("/v1/measures").status_code == 401
    assert world.client.get("/v1/measures", headers={"X-API-Key": "nope"}).status_code == 401
    # (the portal key still works: nobody above managed to rotate or revoke it)
    for key in (world.portal_key, world.admin_key, CHANNEL_KEY):
        assert world.client.get("/v1/measures", headers={"X-API-Key": key}).status_code == 503  # empty KB
