"""Contract fuzzing: schemathesis generates requests from the API's own OpenAPI spec and sends each one with
every role's key — none, a portal key, a channel key alone, a channel acting for a bound household and for a
bound cadre, an admin key — to the real app over the real corpus, in production mode.

Every response must be a documented status code with a body matching its schema and content type, and none
may be a server error. Examples per operation are bounded (BANGFU_TEST_FUZZ_EXAMPLES, default 10) so the run
stays within the test budget; raise it for a deeper local run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from core.records.audit import CLI_ADMIN
from core.records.households import Jurisdiction
from core.services import Services
from ingest.households import read_batch
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
CHANNEL_KEY = "channel-key-for-contract-tests-01"
EXAMPLES = int(os.environ.get("BANGFU_TEST_FUZZ_EXAMPLES", "10"))


def not_a_server_error(ctx: Any, response: Any, case: Any) -> bool:
    assert response.status_code < 500, f"server error {response.status_code}: {response.text[:300]}"
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def world(corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("contract") / "data"
    shutil.copytree(corpus_data_dir, data)
    settings_ = make_settings(
        data,
        env="production",
        secret_key="test-secret-key-0123456789abcdef",
        api_key=CHANNEL_KEY,
        reload_interval=3600.0,
    )
    app = create_app(settings_)
    with TestClient(app, raise_server_exceptions=False) as client:
        services: Services = app.state.services
        batch = read_batch(ROOT / "examples" / "households.xlsx")
        services.households.import_batch(batch)
        identity = services.identity
        household = batch.households[0]
        assert household.phone is not None
        code = identity.issue_household_code(household_no=household.household_no, actor=CLI_ADMIN).code
        channel = {"Authorization": f"Bearer {CHANNEL_KEY}"}
        r = client.post(
            "/v1/me/bind",
            headers={**channel, "X-Chat-User-Id": "villager-1"},
            json={"code": code, "phone": household.phone, "phone_verified": True},
        )
        assert r.status_code == 200, r.text
        cadre = identity.create_cadre(
            name="干部",
            phone="13900000021",
            jurisdiction=Jurisdiction.of_village(household.township, household.village),
            actor=CLI_ADMIN,
        )
        code = identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code
        r = client.post(
            "/v1/me/bind",
            headers={**channel, "X-Chat-User-Id": "cadre-1"},
            json={"code": code, "phone": "13900000021", "phone_verified": True},
        )
        assert r.status_code == 200, r.text
        roles = {
            "none": {},
            "portal": {"X-API-Key": identity.create_client(name="portal", role="portal")[1]},
            "channel": channel,
            "household": {**channel, "X-Chat-User-Id": "villager-1"},
            "cadre": {**channel, "X-Chat-User-Id": "cadre-1"},
            "admin": {"X-API-Key": identity.create_client(name="bureau", role="admin")[1]},
        }
        yield {"app": app, "roles": roles}


def _spec_app() -> Any:
    """The app whose OpenAPI spec is fuzzed; built without services (the spec does not need them)."""
    spec_settings = make_settings(
        # Its own dir per process: a fixed path would be shared with other checkouts' runs (and their migrations).
        Path(tempfile.mkdtemp(prefix="bangfu-contract-spec-")),
        env="production",
        secret_key="test-secret-key-0123456789abcdef",
        api_key=CHANNEL_KEY,
    )
    return create_app(spec_settings)


# A case attachment may be a voice note: generated bodies of that type are sent as bytes, like images.
schemathesis.serializer.alias("audio/ogg", "application/octet-stream")

# Loaded at import (pytest 9 breaks schemathesis' fixture-based lazy loading); calls go to the world's app.
schema = schemathesis.openapi.from_asgi("/openapi.json", _spec_app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_role_gets_documented_responses_and_no_server_error(case: Any, world: dict[str, Any]) -> None:
    for role, headers in world["roles"].items():
        merged = {**(case.headers or {}), **headers}
        try:
            case.call_and_validate(headers=merged, checks=CHECKS, app=world["app"])
        except AssertionError as exc:  # name the role in the failure
            raise AssertionError(f"as {role}: {exc}") from exc
