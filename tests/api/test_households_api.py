"""The household endpoints end to end: binding, status, payments, cadre lookups, admin, CLI, masking."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update

from api.__main__ import main as api_main
from api.app import create_app
from core.records.db import utcnow
from core.records.households import HouseholdBatch
from core.records.identity import BindingCode
from core.services import Services
from core.settings import Settings
from ingest.households import read_batch

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "households.xlsx"
SECRET = "test-secret-key-0123456789abcdef"
SAMPLE = read_batch(EXAMPLE)


def raw_pii(batch: HouseholdBatch = SAMPLE) -> list[str]:
    """Every raw ID and household phone number of the sample (never in a response or a log)."""
    return [m.id_number for m in batch.members] + [h.phone for h in batch.households if h.phone]


def names(batch: HouseholdBatch = SAMPLE) -> list[str]:
    return [m.name for m in batch.members]


def in_village(village: str) -> list[str]:
    return [h.household_no for h in SAMPLE.households if h.village == village]


def with_item(item: str) -> str:
    """A 柳湾村 household that received `item`."""
    paid = {p.household_no for p in SAMPLE.payments if p.item == item}
    return next(no for no in in_village("柳湾村") if no in paid)


def phone_of(household_no: str) -> str:
    phone = next(h.phone for h in SAMPLE.households if h.household_no == household_no)
    assert phone is not None
    return phone


@dataclass
class Api:
    client: TestClient
    services: Services
    settings: Settings

    @property
    def channel_key(self) -> str:
        return self.settings.dev_secret("channel_api_key")

    def chat(self, chat_user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.channel_key}", "X-Chat-User-Id": chat_user_id}

    def admin(self) -> dict[str, str]:
        _client, key = self.services.identity.create_client(
            name=f"bureau{id(self)}{utcnow().timestamp()}", role="admin"
        )
        return {"X-API-Key": key}

    def bind(self, chat_user_id: str, code: str, phone: str) -> Response:
        body = {"code": code, "phone": phone, "phone_verified": True}
        return self.client.post("/v1/me/bind", headers=self.chat(chat_user_id), json=body)

    def cadre(self, chat_user_id: str, township: str, village: str, phone: str) -> None:
        admin = self.admin()
        body = {
            "name": "周文斌",
            "phone": phone,
            "level": "village",
            "township": township,
            "village": village,
        }
        created = self.client.post("/v1/admin/cadres", headers=admin, json=body)
        assert created.status_code == 201, created.text
        code = self.client.post(f"/v1/admin/cadres/{created.json()['id']}/codes", headers=admin)
        assert code.status_code == 201
        bound = self.bind(chat_user_id, code.json()["code"], phone)
        assert bound.status_code == 200 and bound.json()["kind"] == "cadre", bound.text


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(
        data_dir=tmp_path / "data", env="development", secret_key=SECRET, policies_dir=ROOT / "policies"
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        services: Services = app.state.services
        services.households.import_batch(SAMPLE)
        yield Api(client, services, settings)


def assert_no_pii(*responses: Response) -> None:
    for r in responses:
        for value in raw_pii():
            assert value not in r.text


def test_a_villager_binds_with_a_cadre_code_and_sees_their_masked_status(api: Api) -> None:
    household_no = with_item("到户产业奖补")
    api.cadre("cadre-1", "青禾镇", "柳湾村", "13900000001")
    issued = api.client.post(f"/v1/households/{household_no}/codes", headers=api.chat("cadre-1"))
    assert issued.status_code == 201
    code = issued.json()["code"]
    assert len(code) == 8 and issued.json()["household_no"] == household_no

    unverified = api.client.post(
        "/v1/me/bind",
        headers=api.chat("v-1"),
        json={"code": code, "phone": phone_of(household_no), "phone_verified": False},
    )
    assert unverified.status_code == 422 and unverified.json()["error"] == "InvalidInput"
    bound = api.bind("v-1", code, phone_of(household_no))
    assert bound.status_code == 200
    assert bound.json() == {"bound": True, "kind": "household", "household_no": household_no, "cadre": None}
    assert api.client.get("/v1/me", headers=api.chat("v-1")).json()["household_no"] == household_no

    status = api.client.get("/v1/me/status", headers=api.chat("v-1"))
    assert status.status_code == 200
    body = status.json()
    assert body["household"]["household_no"] == household_no
    assert (
        body["household"]["phone_masked"] == phone_of(household_no)[:3] + "****" + phone_of(household_no)[-4:]
    )
    own = [m for m in SAMPLE.members if m.household_no == household_no]
    assert [m["name"] for m in body["members"]] == [m.name for m in own]
    assert [m["id_masked"] for m in body["members"]] == [
        m.id_number[:3] + "*" * 11 + m.id_number[-4:] for m in own
    ]
    assert body["measures_by_year"][0]["year"] == 2024
    assert body["helper"]["name"] and body["household"]["data_as_of"] == "2024-06-30"
    assert body["summary"].startswith(f"您家（户编号{household_no}）是")

    paid = api.client.get("/v1/me/payments", headers=api.chat("v-1"), params={"item": "产业补贴"})
    assert paid.status_code == 200
    assert {p["item"] for p in paid.json()["payments"]} == {"到户产业奖补"}
    assert paid.json()["summary"].startswith("查到1笔“产业补贴”") and "2600元" in paid.json()["summary"]
    missing = api.client.get("/v1/me/payments", headers=api.chat("v-1"), params={"item": "低保金"})
    assert missing.json()["payments"] == [] and missing.json()["summary"].startswith("没有查到“低保金”")
    assert_no_pii(issued, bound, status, paid, missing)

    assert api.client.post("/v1/me/unbind", headers=api.chat("v-1")).json() == {"unbound": 1}
    after = api.client.get("/v1/me/status", headers=api.chat("v-1"))
    assert after.status_code == 403 and after.json()["error"] == "NotBound"


def test_a_cadre_lists_searches_and_views_only_their_village(api: Api) -> None:
    api.cadre("cadre-1", "青禾镇", "柳湾村", "13900000001")
    h = api.chat("cadre-1")
    village = in_village("柳湾村")

    page = api.client.get("/v1/households", headers=h, params={"page_size": 2})
    assert page.status_code == 200
    assert page.json()["total"] == len(village)
    assert [i["household_no"] for i in page.json()["items"]] == sorted(village)[:2]
    second = api.client.get("/v1/households", headers=h, params={"page_size": 2, "page": 2}).json()
    assert [i["household_no"] for i in second["items"]] == sorted(village)[2:4]
    everyone = api.client.get("/v1/households", headers=h, params={"page_size": 100}).json()["items"]
    assert {i["village"] for i in everyone} == {"柳湾村"}

    member = next(m for m in SAMPLE.members if m.household_no == village[0] and m.relation != "户主")
    by_name = api.client.post("/v1/households/search", headers=h, json={"query": member.name})
    assert village[0] in [i["household_no"] for i in by_name.json()["items"]]
    by_last4 = api.client.post("/v1/households/search", headers=h, json={"query": member.id_number[-4:]})
    assert village[0] in [i["household_no"] for i in by_last4.json()["items"]]
    by_no = api.client.post("/v1/households/search", headers=h, json={"query": village[0][:-1]})
    assert village[0] in [i["household_no"] for i in by_no.json()["items"]]
    outsider = next(m for m in SAMPLE.members if m.household_no in in_village("白沙村"))
    assert (
        api.client.post("/v1/households/search", headers=h, json={"query": outsider.name}).json()["items"]
        == []
    )

    one = api.client.get(f"/v1/households/{village[0]}", headers=h)
    assert one.status_code == 200 and one.json()["household"]["village"] == "柳湾村"
    other = api.client.get(f"/v1/households/{in_village('白沙村')[0]}", headers=h)
    assert other.status_code == 404 and set(other.json()) == {"error", "detail"}
    assert_no_pii(page, by_name, by_last4, by_no, one)


def test_a_cadre_unbinds_a_household(api: Api) -> None:
    api.cadre("cadre-1", "青禾镇", "柳湾村", "13900000001")
    household_no = in_village("柳湾村")[0]
    code = api.client.post(f"/v1/households/{household_no}/codes", headers=api.chat("cadre-1")).json()["code"]
    assert api.bind("v-1", code, phone_of(household_no)).status_code == 200
    done = api.client.post(f"/v1/households/{household_no}/unbind", headers=api.chat("cadre-1"))
    assert done.json() == {"unbound": 1}
    assert api.client.get("/v1/me/status", headers=api.chat("v-1")).status_code == 403


def test_binding_brute_force_is_cut_off_with_429(api: Api) -> None:
    household_no = in_village("柳湾村")[0]
    for i in range(5):
        wrong = api.bind("guesser", f"ABCDEF{i:02d}", phone_of(household_no))
        assert wrong.status_code == 422 and wrong.json()["error"] == "InvalidInput"
    blocked = api.bind("guesser", "ABCDEFGH", phone_of(household_no))
    assert blocked.status_code == 429 and blocked.json()["error"] == "RateLimited"
    assert 0 < int(blocked.headers["Retry-After"]) <= 3600


def test_an_expired_code_is_refused(api: Api) -> None:
    household_no = in_village("柳湾村")[0]
    issued = api.services.identity.issue_household_code(household_no=household_no, actor=_cli())
    with api.services.db.session() as session:
        session.execute(update(BindingCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    late = api.bind("v-1", issued.code, phone_of(household_no))
    assert late.status_code == 422 and "expired" in late.json()["detail"]


def _cli() -> object:
    from core.records.audit import CLI_ADMIN

    return CLI_ADMIN


def test_cli_codes_and_audit_export(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BANGFU_DATA_DIR", str(api.settings.data_dir))
    monkeypatch.setenv("BANGFU_SECRET_KEY", SECRET)
    household_no = in_village("柳湾村")[0]
    assert api_main(["codes", household_no]) == 0
    code = capsys.readouterr().out.strip()
    assert api.bind("v-1", code, phone_of(household_no)).status_code == 200
    api.client.get("/v1/me/status", headers=api.chat("v-1"))
    api.client.get("/v1/me/payments", headers=api.chat("v-1"), params={"item": "公益岗位"})

    assert api_main(["audit", "--since", (date.today() - timedelta(days=1)).isoformat()]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,at,role,actor,channel,household_no,action,detail"
    actions = [line.split(",")[6] for line in lines[1:]]
    assert actions == ["issue_code", "bind", "status", "payments"]
    assert all(f",{household_no}," in line for line in lines[1:])
    text = "\n".join(lines)
    for value in [*raw_pii(), *names()]:
        assert value not in text
    assert api_main(["codes", "no-such-household"]) == 1


def test_logs_never_carry_ids_phones_or_names(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.services.households.import_batch(SAMPLE)
    api.cadre("cadre-1", "青禾镇", "柳湾村", "13900000001")
    household_no = with_item("到户产业奖补")
    code = api.client.post(f"/v1/households/{household_no}/codes", headers=api.chat("cadre-1")).json()["code"]
    api.bind("v-2", "WRONGONE", phone_of(household_no))
    api.bind("v-1", code, phone_of(household_no))
    api.client.get("/v1/me/status", headers=api.chat("v-1"))
    api.client.get("/v1/me/payments", headers=api.chat("v-1"), params={"item": "产业"})
    api.client.get("/v1/households", headers=api.chat("cadre-1"))
    member = next(m for m in SAMPLE.members if m.household_no == household_no)
    api.client.post("/v1/households/search", headers=api.chat("cadre-1"), json={"query": member.name})
    api.client.get(f"/v1/households/{household_no}", headers=api.chat("cadre-1"))
    assert caplog.records, "nothing was logged at all"
    for value in [*raw_pii(), *names(), "13900000001"]:
        assert value not in caplog.text


def test_admin_endpoints_manage_clients_and_cadres(api: Api) -> None:
    admin = api.admin()
    made = api.client.post(
        "/v1/admin/clients", headers=admin, json={"name": "county-portal", "role": "portal"}
    )
    assert made.status_code == 201 and made.json()["role"] == "portal"
    portal_key = made.json()["key"]
    assert api.client.get("/v1/households", headers={"X-API-Key": portal_key}).status_code == 403

    bad = api.client.post(
        "/v1/admin/cadres",
        headers=admin,
        json={"name": "x", "phone": "13900000002", "level": "village", "township": "青禾镇"},
    )
    assert bad.status_code == 422
    api.cadre("cadre-9", "青禾镇", "柳湾村", "13900000009")
    cadres = api.client.get("/v1/admin/cadres", headers=admin).json()["cadres"]
    assert [c["phone_masked"] for c in cadres] == ["139****0009"]
    off = api.client.post(f"/v1/admin/cadres/{cadres[0]['id']}/deactivate", headers=admin)
    assert off.json() == {"unbound": 1}
    assert api.client.get("/v1/households", headers=api.chat("cadre-9")).status_code == 403

    code = api.client.post(f"/v1/admin/households/{in_village('白沙村')[0]}/codes", headers=admin)
    assert code.status_code == 201 and len(code.json()["code"]) == 8


def test_production_needs_a_key_on_every_endpoint(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, env="production", secret_key=SECRET, api_key="channel-key-0123456789abcdef"
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for path in ("/v1/measures", "/v1/documents"):
            assert client.get(path).status_code == 401
            assert client.get(path, headers={"X-API-Key": "not-a-key"}).status_code == 401
            # With the channel key the request passes authorization (the knowledge base is empty: 503).
            assert (
                client.get(path, headers={"Authorization": "Bearer channel-key-0123456789abcdef"}).status_code
                == 503
            )
        assert client.get("/v1/me/status", headers={"X-Chat-User-Id": "1"}).status_code == 401
        assert not settings.secret_file("channel_api_key").exists()  # no generated secrets in production


def test_development_opens_public_endpoints_without_a_key(api: Api) -> None:
    assert api.client.get("/v1/measures").status_code == 503  # open, but nothing ingested in this data dir
    assert api.client.get("/v1/measures", headers={"X-API-Key": "wrong"}).status_code == 401


def test_openapi_documents_the_household_endpoints(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    for path in (
        "/v1/me/status",
        "/v1/me/payments",
        "/v1/me/bind",
        "/v1/households",
        "/v1/households/{household_no}",
    ):
        assert path in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/v1/me/status"]["get"]["parameters"]}
    assert "x-chat-user-id" in {p.lower() for p in params}
    assert json.dumps(spec).count("X-API-Key") >= 1
