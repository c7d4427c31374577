"""A running API follows a new ingest from another process, without restart and without errors."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import free_port

DOC = "关于{topic}的通知\n一、对符合条件的脱贫户给予每户{amount}元补助。\n二、农户向村委会申请，乡镇审核。\n"


def _env(data: Path, port: int) -> dict[str, str]:
    # the test's own settings only, but keep the suite's raised rate limits: two clients hammer the API
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BANGFU_") or k.startswith("BANGFU_RATE_LIMIT_")
    }
    env.update(BANGFU_DATA_DIR=str(data), BANGFU_PORT=str(port), BANGFU_RELOAD_INTERVAL="0.2")
    return env


def _ingest(folder: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ingest", str(folder), "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr + done.stdout


def test_api_picks_up_new_generations_while_serving(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "housing.txt").write_text(DOC.format(topic="危房改造", amount=15000), encoding="utf-8")
    port = free_port()
    env = _env(tmp_path / "data", port)
    _ingest(folder, env)
    log_path = tmp_path / "api.log"
    log = open(log_path, "wb")  # noqa: SIM115 - a file, not a pipe: a full pipe would block the server
    api = subprocess.Popen([sys.executable, "-m", "api"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    failures: list[str] = []
    stop = threading.Event()
    seen: set[frozenset[str]] = set()

    def hammer() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                try:
                    docs = client.get("/v1/documents")
                    search = client.get("/v1/search", params={"q": "补助", "k": 2})
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    continue
                for r in (docs, search):
                    if r.status_code != 200:
                        failures.append(f"{r.request.url.path}: {r.status_code} {r.text[:200]}")
                if docs.status_code == 200:
                    seen.add(frozenset(d["doc_id"] for d in docs.json()["documents"]))

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        workers = [threading.Thread(target=hammer) for _ in range(2)]
        for w in workers:
            w.start()
        for i in range(3):  # three generations published while requests keep coming
            (folder / f"extra-{i}.txt").write_text(
                DOC.format(topic=f"第{i}项帮扶", amount=100 + i), encoding="utf-8"
            )
            _ingest(folder, env)
        (folder / "housing.txt").unlink()
        _ingest(folder, env)
        time.sleep(1.5)
        stop.set()
        for w in workers:
            w.join(timeout=30)
        final = httpx.get(base + "/v1/documents", timeout=10).json()["documents"]
    finally:
        stop.set()
        api.terminate()
        api.wait(timeout=30)
        log.close()
    stderr = log_path.read_bytes()
    assert failures == [], failures[:5]
    assert {d["doc_id"] for d in final} == {"extra-0", "extra-1", "extra-2"}
    assert len(seen) >= 3  # the API served several generations in turn
    assert b"Traceback" not in stderr
    gens = list((tmp_path / "data" / "kb" / "gens").iterdir())
    assert len(gens) <= 3  # old generations are pruned
