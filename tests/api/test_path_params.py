"""Ids, filters and body text the database cannot take are a 422 `{"error", "detail"}` before any query, on SQLite and
PostgreSQL: no 500 from an integer past the column's range, a NUL byte, or a time without a UTC date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.routes.params import INT32_MAX
from core.records.audit import CLI_ADMIN
from core.records.db import temporary_schema
from core.records.households import Jurisdiction
from core.services import Services
from core.settings import Settings
from ingest.households import read_batch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = read_batch(ROOT / "examples" / "households.xlsx")
CHANNEL_KEY = "channel-key-for-tests-0123456789"
HOUSEHOLD = next(h for h in SAMPLE.households if h.village == "柳湾村")


@dataclass
class Setup:
    client: TestClient
    services: Services
    admin: dict[str, str]
    cadre: dict[str, str]
    cadre_id: int


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    schema = temporary_schema(request.getfixturevalue("pg_url")) if request.param == "postgresql" else None
    with schema or nullcontext(None) as url:
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("params"),
            env="production",
            secret_key="test-secret-key-0123456789abcdef",
            api_key=CHANNEL_KEY,
            database_url=url,
        )
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            services: Services = app.state.services
            services.households.import_batch(SAMPLE)
            identity = services.identity
            phone = "13900000021"
            cadre = identity.create_cadre(
                name="干部",
                phone=phone,
                jurisdiction=Jurisdiction.of_village("青禾镇", "柳湾村"),
                actor=CLI_ADMIN,
            )
            chat = {"Authorization": f"Bearer {CHANNEL_KEY}", "X-Chat-User-Id": "cadre-params"}
            code = identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code
            bound = client.post(
                "/v1/me/bind", headers=chat, json={"code": code, "phone": phone, "phone_verified": True}
            )
            assert bound.status_code == 200, bound.text
            admin = {"X-API-Key": identity.create_client(name="bureau", role="admin")[1]}
            yield Setup(client, services, admin, chat, cadre.id)


def assert_invalid(r: Response, field: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "ValidationError" and field in body["detail"], body
    assert set(body) == {"error", "detail"}


@pytest.mark.parametrize("cadre_id", [0, -1, INT32_MAX + 1, 2**63 - 1, 2**63, 2**64, 10**30])
@pytest.mark.parametrize("action", ["codes", "deactivate"])
def test_a_cadre_id_outside_the_column_range_is_a_422(setup: Setup, cadre_id: int, action: str) -> None:
    r = setup.client.post(f"/v1/admin/cadres/{cadre_id}/{action}", headers=setup.admin)
    assert_invalid(r, "cadre_id")


def test_a_cadre_id_in_range_still_works_or_is_not_found(setup: Setup) -> None:
    assert setup.client.post(f"/v1/admin/cadres/{INT32_MAX}/codes", headers=setup.admin).status_code == 404
    issued = setup.client.post(f"/v1/admin/cadres/{setup.cadre_id}/codes", headers=setup.admin)
    assert issued.status_code == 201 and issued.json()["cadre_id"] == setup.cadre_id


@pytest.mark.parametrize(
    "household_no",
    ["AB%00CD", "A" * 33, "abc", "%E6%88%B7%E5%8F%B7%E4%B8%80%E4%BA%8C", "H0001%0A", "H00%2001"],
)
def test_a_household_number_of_the_wrong_shape_is_a_422(setup: Setup, household_no: str) -> None:
    for method, path, headers in (
        ("GET", f"/v1/households/{household_no}", setup.cadre),
        ("POST", f"/v1/households/{household_no}/codes", setup.cadre),
        ("POST", f"/v1/households/{household_no}/unbind", setup.cadre),
        ("POST", f"/v1/admin/households/{household_no}/codes", setup.admin),
    ):
        assert_invalid(setup.client.request(method, path, headers=headers), "household_no")


def test_a_household_number_of_the_right_shape_reaches_the_records(setup: Setup) -> None:
    assert setup.client.get("/v1/households/ZZ0000", headers=setup.cadre).status_code == 404
    one = setup.client.get(f"/v1/households/{HOUSEHOLD.household_no}", headers=setup.cadre)
    assert one.status_code == 200 and one.json()["household"]["household_no"] == HOUSEHOLD.household_no


@pytest.mark.parametrize("name", ["township", "village", "household_type"])
def test_a_list_filter_with_control_characters_is_a_422(setup: Setup, name: str) -> None:
    assert_invalid(setup.client.get(f"/v1/households?{name}=a%00b", headers=setup.cadre), name)
    assert setup.client.get(f"/v1/households?{name}=青禾镇", headers=setup.cadre).status_code == 200


def test_unanswered_since_without_a_utc_date_is_a_422(setup: Setup) -> None:
    r = setup.client.get("/v1/unanswered?since=0001-01-01T00:00:00%2B14:00", headers=setup.admin)
    assert_invalid(r, "since")
    ok = setup.client.get("/v1/unanswered?since=2024-01-01T08:00:00%2B08:00", headers=setup.admin)
    assert ok.status_code == 200, ok.text


def test_document_and_measure_ids_are_bounded(api_client: TestClient) -> None:
    assert_invalid(api_client.get("/v1/documents/" + "x" * 256), "doc_id")
    assert_invalid(api_client.get("/v1/measures/Not_An_Id"), "measure_id")
    assert api_client.get("/v1/measures/no-such-measure").status_code == 404


@pytest.mark.parametrize(
    ("path", "who", "body", "field"),
    [
        ("/v1/households/search", "cadre", {"query": "柳湾\u0000"}, "query"),
        (
            "/v1/admin/cadres",
            "admin",
            {"name": "a\u0000b", "phone": "13900000099", "level": "county"},
            "name",
        ),
        (
            "/v1/admin/cadres",
            "admin",
            {
                "name": "干部",
                "phone": "13900000099",
                "level": "village",
                "township": "青禾镇",
                "village": "柳\n湾",
            },
            "village",
        ),
        ("/v1/feedback", "admin", {"question": "能修\u0000吗", "helpful": True}, "question"),
        ("/v1/feedback", "admin", {"question": "能修吗", "helpful": True, "doc_ids": ["a\u0000"]}, "doc_ids"),
    ],
)
def test_body_text_the_database_cannot_store_is_a_422(
    setup: Setup, path: str, who: str, body: dict[str, object], field: str
) -> None:
    headers = setup.cadre if who == "cadre" else setup.admin
    assert_invalid(setup.client.post(path, headers=headers, json=body), field)


def test_a_question_with_nul_is_a_422_but_may_have_line_breaks(api_client: TestClient) -> None:
    # An abstained question is stored as unanswered, and PostgreSQL cannot store NUL: refused up front.
    assert_invalid(api_client.post("/v1/ask", json={"question": "火星上\u0000的补贴怎么领"}), "question")
    r = api_client.post("/v1/ask", json={"question": "我家房子漏雨\n能修吗"})
    assert r.status_code == 200, r.text
