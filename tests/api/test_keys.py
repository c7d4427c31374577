"""API keys can be listed, rotated and revoked — on the server's command line and by admins over the API — and a
revocation holds on every replica from the next request. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from api.__main__ import main
from api.app import create_app
from core.records.audit import AuditRecord
from core.records.db import temporary_schema, utcnow
from core.records.identity import ApiClient, key_hash
from core.services import Services
from core.settings import Settings

SECRET = "test-secret-key-0123456789abcdef"
CHANNEL_KEY = "channel-key-for-tests-0123456789"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Production settings over a fresh data dir (and a fresh PostgreSQL schema)."""
    values = {
        "data_dir": tmp_path / "data",
        "env": "production",
        "secret_key": SECRET,
        "api_key": CHANNEL_KEY,
    }
    schema = temporary_schema(request.getfixturevalue("pg_url")) if request.param == "postgresql" else None
    with schema or nullcontext(None) as url:
        yield Settings(**values, database_url=url)  # type: ignore[arg-type]


@pytest.fixture
def replicas(settings: Settings) -> Iterator[list[TestClient]]:
    """Two API processes' apps over the same database, each with its own services."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(TestClient(create_app(settings), raise_server_exceptions=False))
            for _ in range(2)
        ]


def services_of(client: TestClient) -> Services:
    return client.app.state.services  # type: ignore[attr-defined]


def me(client: TestClient, key: str) -> int:
    """Status of an authenticated call that needs no knowledge base."""
    return client.get("/v1/me", headers={"Authorization": f"Bearer {key}", "X-Chat-User-Id": "1"}).status_code


def cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *argv: str) -> int:
    """`python -m api …` with the test's settings in the environment."""
    monkeypatch.setenv("BANGFU_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BANGFU_ENV", "production")
    monkeypatch.setenv("BANGFU_SECRET_KEY", SECRET)
    monkeypatch.setenv("BANGFU_API_KEY", CHANNEL_KEY)
    if settings.database_url:
        monkeypatch.setenv("BANGFU_DATABASE_URL", settings.database_url)
    return main(list(argv))


def test_cli_creates_lists_rotates_and_revokes_clients(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The form existing scripts use keeps working.
    assert (
        cli(monkeypatch, settings, "clients", "wechat", "--role", "channel", "--allow-from", "10.0.0.0/24")
        == 0
    )
    key = capsys.readouterr().out.strip()
    assert key.startswith("bfk_")
    assert cli(monkeypatch, settings, "clients", "create", "portal", "--role", "portal") == 0
    portal_key = capsys.readouterr().out.strip()

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        identity = services_of(client).identity
        assert identity.authenticate(portal_key) is not None  # a use: shown as last used
        assert cli(monkeypatch, settings, "clients", "list") == 0
        listing = capsys.readouterr().out
        rows = {line.split("\t")[0]: line.split("\t") for line in listing.splitlines()[1:]}
        assert set(rows) == {"telegram", "wechat", "portal"}
        assert (
            rows["wechat"][1] == "channel" and rows["wechat"][3] == "-" and rows["wechat"][5] == "10.0.0.0/24"
        )
        assert rows["portal"][3] != "-" and rows["portal"][4] == "active"
        for secret in (key, portal_key, key_hash(key), key_hash(portal_key), CHANNEL_KEY):
            assert secret not in listing

        assert cli(monkeypatch, settings, "clients", "rotate", "wechat", "--grace-hours", "24") == 0
        rotated = capsys.readouterr()
        new_key = rotated.out.strip()
        assert new_key.startswith("bfk_") and new_key != key and "old key is valid until" in rotated.err
        assert identity.authenticate(new_key) is not None and identity.authenticate(key) is not None

        assert cli(monkeypatch, settings, "clients", "revoke", "wechat") == 0
        assert identity.authenticate(new_key) is None and identity.authenticate(key) is None
        assert cli(monkeypatch, settings, "clients", "list") == 0
        assert "revoked" in capsys.readouterr().out

    assert cli(monkeypatch, settings, "clients", "revoke", "wechat") == 1  # plain error, no traceback
    assert cli(monkeypatch, settings, "clients", "revoke", "telegram") == 1
    assert "BANGFU_API_KEY" in capsys.readouterr().err


def test_a_rotated_key_stays_valid_for_the_grace_period_then_is_refused(replicas: list[TestClient]) -> None:
    client = replicas[0]
    identity = services_of(client).identity
    _, old = identity.create_client(name="portal", role="portal")
    rotated = identity.rotate_client(name="portal")
    assert timedelta(hours=23, minutes=59) < rotated.old_key_valid_until - utcnow() <= timedelta(hours=24)
    assert me(client, rotated.key) == 403 and me(client, old) == 403  # both authenticate (portal: not a chat)
    with services_of(client).db.session() as session:
        session.execute(update(ApiClient).values(previous_key_expires_at=utcnow() - timedelta(seconds=1)))
    assert me(client, old) == 401
    assert me(client, rotated.key) == 403
    # A rotation with no grace refuses the old key at once (a leaked key).
    immediate = identity.rotate_client(name="portal", grace_hours=0)
    assert me(client, rotated.key) == 401 and me(client, immediate.key) == 403


def test_admins_list_rotate_and_revoke_over_the_api_audited(replicas: list[TestClient]) -> None:
    client = replicas[0]
    services = services_of(client)
    _, admin = services.identity.create_client(name="bureau", role="admin")
    headers = {"X-API-Key": admin}

    created = client.post(
        "/v1/admin/clients",
        headers=headers,
        json={"name": "wechat", "role": "channel", "allow_from": ["10.0.0.5"]},
    )
    assert created.status_code == 201 and created.json()["allow_from"] == ["10.0.0.5/32"]
    wechat = created.json()["key"]
    listed = client.get("/v1/admin/clients", headers=headers)
    assert listed.status_code == 200
    by_name = {c["name"]: c for c in listed.json()["clients"]}
    assert by_name["telegram"]["status"] == "configured"
    assert by_name["wechat"]["status"] == "active" and by_name["wechat"]["allow_from"] == ["10.0.0.5/32"]
    assert by_name["bureau"]["last_used_at"] is not None and by_name["wechat"]["last_used_at"] is None
    for secret in (admin, wechat, key_hash(admin), key_hash(wechat), CHANNEL_KEY):
        assert secret not in listed.text

    rotated = client.post("/v1/admin/clients/wechat/rotate", headers=headers, json={"grace_hours": 2})
    assert rotated.status_code == 200 and rotated.json()["key"] != wechat
    status = {c["name"]: c for c in client.get("/v1/admin/clients", headers=headers).json()["clients"]}
    assert status["wechat"]["status"] == "rotating" and status["wechat"]["old_key_valid_until"]

    revoked = client.post("/v1/admin/clients/wechat/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert client.post("/v1/admin/clients/wechat/revoke", headers=headers).status_code == 404
    assert client.post("/v1/admin/clients/wechat/rotate", headers=headers).status_code == 404
    assert client.post("/v1/admin/clients/telegram/revoke", headers=headers).status_code == 422
    assert client.post("/v1/admin/clients/bad%20name/revoke", headers=headers).status_code == 422
    assert (
        client.post(
            "/v1/admin/clients",
            headers=headers,
            json={"name": "x", "role": "portal", "allow_from": ["nowhere"]},
        ).status_code
        == 422
    )
    # Only admins.
    assert client.get("/v1/admin/clients", headers={"X-API-Key": CHANNEL_KEY}).status_code == 403
    assert (
        client.post("/v1/admin/clients/bureau/revoke", headers={"X-API-Key": CHANNEL_KEY}).status_code == 403
    )

    with services.db.read_session() as session:
        audited = [
            (r.action, r.actor, r.detail)
            for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id))
        ]
    assert ("create_client", "admin:bureau", "client=wechat role=channel") in audited
    assert ("rotate_client", "admin:bureau", "client=wechat grace_hours=2") in audited
    assert ("revoke_client", "admin:bureau", "client=wechat") in audited
    assert ("list_clients", "admin:bureau", None) in audited


def test_revocation_holds_on_every_replica_at_once(replicas: list[TestClient]) -> None:
    a, b = replicas
    _, admin = services_of(a).identity.create_client(name="bureau", role="admin")
    _, wechat = services_of(a).identity.create_client(name="wechat", role="channel")
    assert me(a, wechat) == 200 and me(b, wechat) == 200
    assert a.post("/v1/admin/clients/wechat/revoke", headers={"X-API-Key": admin}).status_code == 200
    assert me(b, wechat) == 401 and me(a, wechat) == 401
    rotated = b.post("/v1/admin/clients/bureau/rotate", headers={"X-API-Key": admin}, json={"grace_hours": 0})
    assert rotated.status_code == 200
    assert a.get("/v1/admin/clients", headers={"X-API-Key": admin}).status_code == 401
    assert a.get("/v1/admin/clients", headers={"X-API-Key": rotated.json()["key"]}).status_code == 200


def test_last_use_is_written_at_most_once_a_minute_per_key(replicas: list[TestClient]) -> None:
    client = replicas[0]
    services = services_of(client)
    _, key = services.identity.create_client(name="wechat", role="channel")
    writes: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE API_CLIENTS"):
            writes.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", count)
    try:
        assert [me(client, key) for _ in range(20)] == [200] * 20
        assert len(writes) == 1
        with services.db.session() as session:
            session.execute(update(ApiClient).values(last_used_at=utcnow() - timedelta(minutes=2)))
        writes.clear()
        assert me(client, key) == 200 and me(client, key) == 200
        assert len(writes) == 1
    finally:
        event.remove(services.db.engine, "before_cursor_execute", count)
    info = next(c for c in services.identity.list_clients() if c.name == "wechat")
    assert info.last_used_at is not None and utcnow() - info.last_used_at < timedelta(minutes=1)
