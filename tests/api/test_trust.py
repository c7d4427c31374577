"""Trust, stated and narrowed: whose X-Forwarded-For counts (the app and the real uvicorn `python -m api` runs),
keys limited to the addresses they may be used from, strict booleans in request bodies, and failed binding
attempts limited per channel as well as per chat user."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.__main__ import uvicorn_options
from api.app import create_app
from core.settings import Settings
from tests.conftest import free_port

SECRET = "test-secret-key-0123456789abcdef"
CHANNEL_KEY = "channel-key-for-tests-0123456789"


def prod_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "env": "production",
        "secret_key": SECRET,
        "api_key": CHANNEL_KEY,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def chat(key: str, chat_user_id: str = "1") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Chat-User-Id": chat_user_id}


# --- X-Forwarded-For ---------------------------------------------------------------------------------


def test_forwarded_for_counts_only_from_trusted_proxies(tmp_path: Path) -> None:
    settings = prod_settings(tmp_path, rate_limit_per_ip="2/minute", trusted_proxies="10.0.0.1, 10.9.0.0/16")
    app = create_app(settings)
    with (
        TestClient(app, client=("10.0.0.1", 4000)) as proxy,
        TestClient(app, client=("127.0.0.1", 4000)) as local,
        TestClient(app, client=("10.9.3.3", 4000)) as inner_proxy,
    ):
        # Behind the trusted proxy, each visitor it names has their own budget.
        for visitor in ("203.0.113.1", "203.0.113.2"):
            headers = {"X-Forwarded-For": visitor}
            codes = [proxy.get("/v1/measures", headers=headers).status_code for _ in range(3)]
            assert codes == [401, 401, 429]
        # A chain of trusted proxies: the rightmost address that is not a proxy is the caller.
        chain = {"X-Forwarded-For": "198.51.100.7, 10.0.0.1"}
        assert [inner_proxy.get("/v1/measures", headers=chain).status_code for _ in range(3)] == [
            401,
            401,
            429,
        ]
        # Anyone else's X-Forwarded-For is ignored, localhost included: all three calls are one caller's.
        codes = [
            local.get("/v1/measures", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
            for i in range(3)
        ]
        assert codes == [401, 401, 429]


def test_settings_refuse_a_trusted_proxy_that_is_not_an_address(tmp_path: Path) -> None:
    from core.errors import ConfigError

    assert prod_settings(tmp_path, trusted_proxies='["10.0.0.1", "fd00::/8"]').trusted_proxies == [
        "10.0.0.1/32",
        "fd00::/8",
    ]
    assert prod_settings(tmp_path).trusted_proxies == []  # default: nobody
    with pytest.raises(ConfigError, match=r"proxy\.example"):
        prod_settings(tmp_path, trusted_proxies="10.0.0.1,proxy.example")


class _Uvicorn:
    """The API under uvicorn with exactly the options `python -m api` uses."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        options = {**uvicorn_options(settings), "log_config": None, "log_level": "warning"}
        self.server = uvicorn.Server(uvicorn.Config(create_app(settings), **options))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.server.config.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]])
def test_served_by_python_m_api_localhost_is_trusted_only_when_listed(
    tmp_path: Path, trusted: list[str]
) -> None:
    settings = prod_settings(
        tmp_path, host="127.0.0.1", port=free_port(), rate_limit_per_ip="2/minute", trusted_proxies=trusted
    )
    with _Uvicorn(settings) as url:
        codes = [
            httpx.get(f"{url}/v1/measures", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
            for i in range(3)
        ]
    # uvicorn trusts 127.0.0.1 by default; `python -m api` must not let a local caller pick its address.
    assert codes == ([401, 401, 429] if not trusted else [401, 401, 401])


# --- keys limited to addresses --------------------------------------------------------------------------


@pytest.fixture
def narrowed(tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    settings = prod_settings(
        tmp_path, trusted_proxies="10.0.0.1", api_key_allow_from="192.0.2.10", rate_limit_per_ip="5/minute"
    )
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        _, key = services.identity.create_client(name="wechat", role="channel", allow_from=["192.0.2.0/28"])
        yield settings, key


def test_a_channel_key_works_only_from_its_listed_addresses(narrowed: tuple[Settings, str]) -> None:
    settings, key = narrowed
    app = create_app(settings)
    with (
        TestClient(app, client=("192.0.2.3", 4000)) as inside,
        TestClient(app, client=("198.51.100.1", 4000)) as outside,
        TestClient(app, client=("10.0.0.1", 4000)) as proxy,
    ):
        assert inside.get("/v1/me", headers=chat(key)).status_code == 200
        refused = outside.get("/v1/me", headers=chat(key))
        assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
        assert "address" in refused.json()["detail"]
        # A refused key is limited by the caller's address, not counted against the channel's budget.
        assert [outside.get("/v1/me", headers=chat(key)).status_code for _ in range(5)] == [403] * 4 + [429]
        assert inside.get("/v1/me", headers=chat(key)).status_code == 200
        # Through the trusted proxy the forwarded address is the one checked; a forged one from outside is not.
        assert proxy.get("/v1/me", headers={**chat(key), "X-Forwarded-For": "192.0.2.4"}).status_code == 200
        assert (
            proxy.get("/v1/me", headers={**chat(key), "X-Forwarded-For": "198.51.100.9"}).status_code == 403
        )
        assert outside.get("/metrics", headers={"X-API-Key": key}).status_code == 403  # outside /v1/ too
        # The configured channel key (BANGFU_API_KEY_ALLOW_FROM) likewise.
        assert inside.get("/v1/me", headers=chat(CHANNEL_KEY)).status_code == 403
        assert (
            proxy.get("/v1/me", headers={**chat(CHANNEL_KEY), "X-Forwarded-For": "192.0.2.10"}).status_code
            == 200
        )


# --- strict booleans -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["yes", "true", 1, "1", None], ids=["yes", "true-string", "one", "one-string", "null"]
)
def test_booleans_in_request_bodies_are_json_booleans(tmp_path: Path, value: object) -> None:
    settings = prod_settings(tmp_path)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        bind = client.post(
            "/v1/me/bind",
            headers=chat(CHANNEL_KEY),
            json={"code": "ABCD2345", "phone": "13800000001", "phone_verified": value},
        )
        assert bind.status_code == 422 and bind.json()["error"] == "ValidationError", bind.text
        assert "phone_verified" in bind.json()["detail"]
        vote = client.post(
            "/v1/feedback",
            headers={"X-API-Key": CHANNEL_KEY},
            json={"question": "危房改造", "helpful": value},
        )
        assert vote.status_code == 422
        if value is not None:  # null means "not given" for an optional OpenAI field
            chat_body = {
                "model": "bangfu",
                "messages": [{"role": "user", "content": "危房改造"}],
                "stream": value,
            }
            completion = client.post(
                "/v1/chat/completions", headers={"X-API-Key": CHANNEL_KEY}, json=chat_body
            )
            assert completion.status_code == 422
        # A JSON boolean is taken: false is refused by the rule, not by the schema.
        ok = client.post(
            "/v1/me/bind",
            headers=chat(CHANNEL_KEY),
            json={"code": "ABCD2345", "phone": "13800000001", "phone_verified": False},
        )
        assert ok.status_code == 422 and "verified" in ok.json()["detail"]


# --- binding lockout per channel -----------------------------------------------------------------------


def test_rotating_chat_ids_does_not_escape_the_binding_lockout(tmp_path: Path) -> None:
    settings = prod_settings(tmp_path, binding_max_failures_per_user=2, binding_max_failures_per_channel=4)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        _, other = services.identity.create_client(name="wechat", role="channel")
        body = {"code": "ZZZZ2345", "phone": "13800000001", "phone_verified": True}
        codes = [
            client.post("/v1/me/bind", headers=chat(CHANNEL_KEY, f"u{i}"), json=body).status_code
            for i in range(6)
        ]
        assert codes == [422] * 4 + [429] * 2
        fresh = client.post("/v1/me/bind", headers=chat(CHANNEL_KEY, "new-user"), json=body)
        assert fresh.status_code == 429 and int(fresh.headers["Retry-After"]) > 0
        # Another channel's users are not held up by this channel's attackers.
        assert client.post("/v1/me/bind", headers=chat(other, "u0"), json=body).status_code == 422
