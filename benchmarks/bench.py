"""`make bench`: ingest throughput, retrieval and /v1/ask latency (in process; over HTTP at concurrency 1 and 8),
a load run (16 clients for 60 s), and peak memory. Benchmarks, not tests: numbers are printed, nothing is asserted.

python -m benchmarks.bench [--fresh] [--requests N] [--load-clients 16] [--load-seconds 60]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import logging
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import yaml

from core.services import build_services
from core.settings import Settings
from ingest.pipeline import ingest_folder

ROOT = Path(__file__).resolve().parents[1]


def _pct(values: list[float]) -> str:
    ms = np.array(values) * 1000
    return f"p50 {np.percentile(ms, 50):6.1f} ms   p95 {np.percentile(ms, 95):6.1f} ms   (n={len(ms)})"


def _questions() -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yaml").read_text(encoding="utf-8"))
    return [q["q"] for q in data["questions"]] + [q["q"] for q in data.get("out_of_scope", [])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_ingest(data_dir: Path, fresh: bool) -> None:
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    settings = Settings(data_dir=data_dir)
    first = ingest_folder(settings, ROOT / "policies")
    if first.changed:
        rate = first.embedded / first.seconds if first.seconds else 0.0
        print(
            f"ingest policies/: {first.documents} documents, {first.chunks} chunks, {first.embedded} embedded "
            f"in {first.seconds:.1f} s ({rate:.2f} chunks/s embedded)"
        )
    again = ingest_folder(settings, ROOT / "policies")
    print(f"re-ingest, unchanged corpus: {again.seconds:.2f} s (changed={again.changed})")


def bench_in_process(data_dir: Path, questions: list[str]) -> None:
    services = build_services(Settings(data_dir=data_dir, reload_interval=3600.0))
    view = services.knowledge.current()
    services.answers.ask(view, "预热")
    for mode in ("bm25", "dense", "hybrid"):
        lat = []
        for q in questions:
            t = time.perf_counter()
            services.retriever.search(view, q, k=5, mode=mode)  # type: ignore[arg-type]
            lat.append(time.perf_counter() - t)
        print(f"retrieval {mode:<7} in process: {_pct(lat)}")
    lat = []
    for q in questions:
        t = time.perf_counter()
        services.answers.ask(view, q)
        lat.append(time.perf_counter() - t)
    print(f"/v1/ask service call in process: {_pct(lat)}")
    services.close()


def bench_http(
    data_dir: Path, questions: list[str], requests: int, load_clients: int, load_seconds: float
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "BANGFU_DATA_DIR": str(data_dir),
        "BANGFU_PORT": str(port),
        "BANGFU_ENV": "development",
        # the load comes from one address; limits are measured by the tests, not here
        "BANGFU_RATE_LIMIT_PER_IP": "1000000/minute",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "api"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            print("API did not become ready")
            return
        for concurrency in (1, 8):
            todo = [questions[i % len(questions)] for i in range(requests)]
            errors = 0

            def call(q: str, client: httpx.Client) -> float:
                t = time.perf_counter()
                r = client.post(base + "/v1/ask", json={"question": q}, timeout=30)
                if r.status_code != 200:
                    raise RuntimeError(r.status_code)
                return time.perf_counter() - t

            lat: list[float] = []
            started = time.perf_counter()
            with httpx.Client() as client, cf.ThreadPoolExecutor(concurrency) as pool:
                for fut in [pool.submit(call, q, client) for q in todo]:
                    try:
                        lat.append(fut.result())
                    except Exception:
                        errors += 1
            wall = time.perf_counter() - started
            print(
                f"/v1/ask over HTTP, concurrency {concurrency}: {_pct(lat)}   "
                f"{len(lat) / wall:.1f} req/s, {errors} errors"
            )
        if load_seconds > 0:
            bench_load(base, questions, load_clients, load_seconds)
        rss = _rss_kib(server.pid)
        if rss:
            print(f"API server resident memory after the run: {rss / 1024:.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=20)


def bench_load(base: str, questions: list[str], clients: int, seconds: float) -> None:
    """`clients` clients asking one question after another for `seconds`: throughput, latency, errors."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}

    def client_loop(offset: int) -> None:
        with httpx.Client(timeout=30) as client:
            i = offset
            while time.monotonic() < stop:
                q = questions[i % len(questions)]
                i += clients
                t = time.perf_counter()
                try:
                    code = str(client.post(base + "/v1/ask", json={"question": q}).status_code)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                dt = time.perf_counter() - t
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1
                    if code == "200":
                        latencies.append(dt)

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    errors = sum(n for code, n in statuses.items() if code != "200")
    print(
        f"load: {clients} clients x {seconds:.0f} s on /v1/ask: {sum(statuses.values())} requests, "
        f"{len(latencies) / wall:.1f} req/s, {_pct(latencies)}, {errors} errors {statuses}"
    )


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench")
    parser.add_argument(
        "--fresh", action="store_true", help="start from an empty data dir (embeds everything)"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--load-clients", type=int, default=16, help="concurrent clients of the load run")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="length of the load run (0: skip)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    questions = _questions()
    bench_ingest(args.data_dir, args.fresh)
    bench_in_process(args.data_dir, questions)
    bench_http(args.data_dir, questions, args.requests, args.load_clients, args.load_seconds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"benchmark process peak memory (ingest + in-process runs): {peak / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
