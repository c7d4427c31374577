"""`POST /v1/me/eligibility`: screening with the facts a bound household's own record states, on SQLite and
PostgreSQL.

The record is the fictional sample export (examples/households.xlsx) over the real ingested corpus. What is
prefilled must match the imported record, facts in the body win, person-level facts come from the member
chosen, every read is audited, callers without a household binding are refused, and no ID or phone number
(or member name) is ever in a response.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from api.app import create_app
from core.records.audit import CLI_ADMIN, AuditRecord
from core.records.db import temporary_schema
from core.records.households import HouseholdRow, Jurisdiction, MemberRow
from core.services import Services
from ingest.households import read_batch
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = read_batch(ROOT / "examples" / "households.xlsx")
SECRET = "test-secret-key-0123456789abcdef"
PATH = "/v1/me/eligibility"


def first_in(village: str) -> HouseholdRow:
    return next(h for h in SAMPLE.households if h.village == village)


def members_of(household: HouseholdRow) -> list[MemberRow]:
    return [m for m in SAMPLE.members if m.household_no == household.household_no]


FAMILY = first_in("柳湾村")  # 脱贫户: 户主, 配偶 and a son at school
MONITORED = first_in("白沙村")  # 监测户 (脱贫不稳定户): two members, both 残疾
ILL = first_in("青禾村")  # 脱贫户 whose 户主 has 患有大病


def raw_pii() -> list[str]:
    """Every ID and phone number of the sample, raw and masked, and every member's name."""
    values: list[str] = []
    for m in SAMPLE.members:
        values += [m.id_number, m.id_number[:3] + "*" * 11 + m.id_number[-4:], m.name]
    for h in SAMPLE.households:
        if h.phone:
            values += [h.phone, h.phone[:3] + "****" + h.phone[-4:]]
        values.append(h.head_name)
    return values


def assert_no_pii(*responses: Response) -> None:
    for r in responses:
        for value in raw_pii():
            assert value not in r.text, f"{value!r} in {r.request.url.path}"


@dataclass
class World:
    client: TestClient
    services: Services
    channel_key: str
    portal_key: str
    admin_key: str

    def chat(self, chat_user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.channel_key}", "X-Chat-User-Id": chat_user_id}

    def bind(self, chat_user_id: str, code: str, phone: str) -> None:
        body = {"code": code, "phone": phone, "phone_verified": True}
        r = self.client.post("/v1/me/bind", headers=self.chat(chat_user_id), json=body)
        assert r.status_code == 200, r.text

    def me(self, chat_user_id: str, body: dict[str, Any] | None = None) -> Response:
        return self.client.post(PATH, headers=self.chat(chat_user_id), json=body or {})

    def public(self, body: dict[str, Any]) -> dict[str, Any]:
        r = self.client.post("/v1/eligibility", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def audit(self, household_no: str) -> list[AuditRecord]:
        with self.services.db.read_session() as session:
            return list(
                session.scalars(
                    select(AuditRecord)
                    .where(AuditRecord.household_no == household_no, AuditRecord.action == "eligibility")
                    .order_by(AuditRecord.id)
                )
            )


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(
    request: pytest.FixtureRequest, corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("me-eligibility") / "data"
    shutil.copytree(corpus_data_dir, data_dir)
    schema = temporary_schema(request.getfixturevalue("pg_url")) if request.param == "postgresql" else None
    with schema or nullcontext(None) as url:
        settings = make_settings(data_dir, secret_key=SECRET, reload_interval=3600.0, database_url=url)
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            services: Services = app.state.services
            services.households.import_batch(SAMPLE)
            identity = services.identity
            world = World(
                client=client,
                services=services,
                channel_key=settings.dev_secret("channel_api_key"),
                portal_key=identity.create_client(name="portal", role="portal")[1],
                admin_key=identity.create_client(name="bureau", role="admin")[1],
            )
            for chat_user_id, household in (("family", FAMILY), ("monitored", MONITORED), ("ill", ILL)):
                code = identity.issue_household_code(household_no=household.household_no, actor=CLI_ADMIN)
                assert household.phone is not None
                world.bind(chat_user_id, code.code, household.phone)
            cadre = identity.create_cadre(
                name="干部",
                phone="13900000011",
                jurisdiction=Jurisdiction.of_village("青禾镇", "柳湾村"),
                actor=CLI_ADMIN,
            )
            world.bind(
                "cadre", identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code, "13900000011"
            )
            yield world


def test_prefilled_facts_match_the_imported_record(world: World) -> None:
    head = members_of(MONITORED)[0]
    assert (MONITORED.household_type, MONITORED.monitoring_type) == ("监测户", "脱贫不稳定户")
    assert (head.relation, head.health, head.schooling) == ("户主", "残疾", "不在读")

    r = world.me("monitored", {"member": 1})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["prefilled"] == {
        "household_type": "监测户",
        "monitoring_type": "脱贫不稳定户",
        "age": head.age,
        "labor_capacity": head.labor_capacity,
        "schooling_stage": "不在读",
        "has_disability": True,
    }
    assert body["member"] == 1
    note = body["prefilled_from"]
    assert note.startswith("按您家档案，已知：户类型是监测户、监测对象类型是脱贫不稳定户；")
    assert f"按成员1（户主）的档案：年龄为{head.age}岁、劳动能力是{head.labor_capacity}" in note
    assert "档案截至2024年6月30日" in note

    # The same screening as POST /v1/eligibility over those facts: nothing the record says is asked again.
    public = world.public({"facts": body["prefilled"]})
    assert body["results"] == public["results"] and body["next_question"] == public["next_question"]
    assert not set(body["prefilled"]) & set(body["next_question"]["facts"])
    assert all(not set(body["prefilled"]) & set(res["missing"]) for res in body["results"])
    by_id = {res["measure_id"]: res for res in body["results"]}
    # 残疾 in the record: 持证 is known, 一级或二级 and 长期照护 are not, so the care subsidy asks for them
    care = by_id["severe-disability-care-subsidy"]
    assert care["status"] == "need_info" and care["missing"] == ["has_severe_disability"]
    assert care["amount_value"] == {"value": 90, "unit": "元/月", "bound": None}
    assert_no_pii(r)


def test_facts_in_the_body_win_over_the_record(world: World) -> None:
    facts = {"age": 70, "household_type": "一般农户", "wants_loan": True}
    r = world.me("monitored", {"member": 1, "facts": facts, "measure_ids": ["microcredit", "dibao"]})
    assert r.status_code == 200, r.text
    body = r.json()
    # The caller says the household is not monitored: neither its type nor its monitoring type is assumed.
    assert set(body["prefilled"]) == {"labor_capacity", "schooling_stage", "has_disability"}
    assert "年龄" not in body["prefilled_from"] and "户类型" not in body["prefilled_from"]
    public = world.public({"facts": {**body["prefilled"], **facts}, "measure_ids": ["microcredit", "dibao"]})
    assert body["results"] == public["results"]
    assert [res["measure_id"] for res in body["results"]] == ["microcredit", "dibao"]
    assert body["results"][0]["status"] == "ineligible"  # 一般农户, 70: not the record's 监测户 aged 45


def test_person_facts_come_from_the_member_chosen(world: World) -> None:
    members = members_of(FAMILY)
    assert len(members) == 3 and members[2].schooling == "义务教育"
    son = world.me("family", {"member": 3}).json()
    assert son["member"] == 3
    assert son["prefilled"] == {
        "household_type": FAMILY.household_type,
        "age": members[2].age,
        "labor_capacity": members[2].labor_capacity,
        "schooling_stage": "义务教育",
    }
    assert f"按成员3（{members[2].relation}）的档案" in son["prefilled_from"]
    spouse = world.me("family", {"member": 2}).json()
    assert spouse["prefilled"]["age"] == members[1].age
    assert spouse["prefilled"]["labor_capacity"] == members[1].labor_capacity

    # No member named in a three-person household: only what the record says of the household.
    nobody = world.me("family").json()
    assert nobody["prefilled"] == {"household_type": FAMILY.household_type} and nobody["member"] is None
    assert "家里登记了3口人" in nobody["prefilled_from"]
    assert nobody["next_question"]["fact"] != "household_type"

    ill = members_of(ILL)[0]
    assert ill.health == "患有大病"
    assert world.me("ill", {"member": 1}).json()["prefilled"]["has_serious_illness"] is True


def test_an_unknown_member_is_refused_with_a_plain_message_and_not_audited(world: World) -> None:
    before = len(world.audit(FAMILY.household_no))
    unknown = world.me("family", {"member": 9})
    assert unknown.status_code == 422
    assert unknown.json() == {
        "error": "InvalidInput",
        "detail": "member 9 is not in your household's record: it lists 3 members, numbered 1 to 3 in the "
        "order GET /v1/me/status shows them",
    }
    zero = world.me("family", {"member": 0})
    assert zero.status_code == 422 and set(zero.json()) == {"error", "detail"}
    bad_fact = world.me("family", {"facts": {"no_such_fact": 1}})
    assert bad_fact.status_code == 422 and bad_fact.json()["error"] == "InvalidInput"
    assert len(world.audit(FAMILY.household_no)) == before + 1  # only the read that went through
    assert_no_pii(unknown, zero, bad_fact)


def test_each_read_is_audited_without_personal_data(world: World) -> None:
    before = world.audit(ILL.household_no)
    assert world.me("ill", {"member": 1}).status_code == 200
    assert world.me("ill").status_code == 200
    new = world.audit(ILL.household_no)[len(before) :]
    assert [(a.role, a.actor, a.channel, a.detail) for a in new] == [
        ("household", "chat:ill", "telegram", "member=1"),
        ("household", "chat:ill", "telegram", "member=none"),
    ]


def test_callers_without_a_household_binding_are_refused(world: World) -> None:
    with world.services.db.read_session() as session:
        before = session.query(AuditRecord).count()
    refused = {
        "unbound chat user": (world.chat("stranger"), 403, "NotBound"),
        "cadre": (world.chat("cadre"), 403, "NotBound"),
        "portal key": ({"X-API-Key": world.portal_key, "X-Chat-User-Id": "family"}, 403, "Forbidden"),
        "admin key": ({"X-API-Key": world.admin_key, "X-Chat-User-Id": "family"}, 403, "Forbidden"),
        "no key": ({"X-Chat-User-Id": "family"}, 401, "Unauthorized"),
        "no chat user": ({"Authorization": f"Bearer {world.channel_key}"}, 422, "InvalidInput"),
    }
    for who, (headers, status, error) in refused.items():
        r = world.client.post(PATH, headers=headers, json={"member": 1})
        assert (r.status_code, r.json()["error"]) == (status, error), f"{who}: {r.text}"
        assert "prefilled" not in r.text and set(r.json()) == {"error", "detail"}
        # The same refusal as the other /v1/me routes give.
        other = world.client.get("/v1/me/status", headers=headers)
        assert (other.status_code, other.json()) == (r.status_code, r.json()), who
        assert_no_pii(r)
    with world.services.db.read_session() as session:
        assert session.query(AuditRecord).count() == before


def test_the_endpoint_is_documented(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    operation = spec["paths"][PATH]["post"]
    assert "x-chat-user-id" in {p["name"].lower() for p in operation["parameters"]}
    schema = spec["components"]["schemas"]["MeEligibilityOut"]
    assert {"results", "next_question", "prefilled", "prefilled_from", "member"} <= set(schema["properties"])
