"""Shared fixtures: all state under temporary dirs; the real corpus ingested once per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"

# Nothing in the test run may reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# A developer's own BANGFU_* settings must not leak into tests (test switches are kept).
for _name in list(os.environ):
    if _name.startswith("BANGFU_") and not _name.startswith(("BANGFU_TEST_", "BANGFU_REQUIRE_")):
        del os.environ[_name]
# Tests call the API far faster than any person; the rate-limit tests set their own limits.
for _role in ("PER_IP", "PORTAL", "CHANNEL", "ADMIN"):
    os.environ[f"BANGFU_RATE_LIMIT_{_role}"] = "1000000/minute"


PG_URL = os.environ.get("BANGFU_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test PostgreSQL URL; skips when it is not reachable, fails instead under BANGFU_REQUIRE_POSTGRES."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    engine = create_engine(PG_URL)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        if os.environ.get("BANGFU_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required (BANGFU_REQUIRE_POSTGRES) but not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: {type(exc).__name__}")
    finally:
        engine.dispose()
    return PG_URL


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: everything under `data_dir`, no reload delay."""
    values: dict[str, object] = {"data_dir": data_dir, "reload_interval": 0.0, "env": "development"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the real policies/ ingested by the real pipeline and model (once per session)."""
    from ingest.pipeline import ingest_folder

    data_dir = tmp_path_factory.mktemp("corpus-data")
    # Developers may keep the vector cache between runs (BANGFU_TEST_VECTOR_CACHE=path); CI embeds afresh.
    seed = os.environ.get("BANGFU_TEST_VECTOR_CACHE")
    cache = data_dir / "kb" / "ingest-cache.sqlite"
    if seed and Path(seed).is_file():
        cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed, cache)
    report = ingest_folder(make_settings(data_dir), POLICIES)
    assert report.ok, report.summary()
    if seed and not Path(seed).is_file():
        shutil.copyfile(cache, seed)
    return data_dir


@pytest.fixture
def corpus_copy(corpus_data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the ingested data dir that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(corpus_data_dir, target)
    return target


@pytest.fixture(scope="session")
def corpus_services(corpus_data_dir: Path) -> Iterator[object]:
    """Core services over the ingested real corpus (read-only use)."""
    from core.services import build_services

    services = build_services(make_settings(corpus_data_dir, reload_interval=3600.0))
    services.knowledge.current()
    yield services
    services.close()


@pytest.fixture(scope="session")
def api_client(corpus_services: object) -> Iterator[object]:
    """A TestClient over the real app and the real ingested corpus."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(services=corpus_services)  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on a free local port."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    import httpx

    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        log.close()
        pytest.fail("chroma server did not start: " + (path / "server.log").read_text()[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
