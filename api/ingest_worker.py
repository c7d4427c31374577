"""Starting the ingest worker (`python -m ingest jobs`) from the API, as a process of its own.

The API never imports the ingest edge; it starts the same command an operator would, with the API's own
settings as `BANGFU_*` variables, and does not wait for it. Starting it when another worker runs is harmless:
the new one finds the ingest lock taken and exits, and the running one takes the queued job (ingest/jobs.py).
The worker's output goes to `logs/ingest-worker.log` in the data dir.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from core.settings import Settings

logger = logging.getLogger(__name__)

KICK_INTERVAL = 5.0  # seconds between two starts for a job that still waits (e.g. after a replica restarted)


class IngestWorkerLauncher:
    """Starts `python -m ingest jobs` in the background; reaps it when it exits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._last = 0.0

    def start(self, *, unless_recent: bool = False) -> None:
        """Start a worker now (or, with `unless_recent`, only when none was started in the last few seconds)."""
        with self._lock:
            now = time.monotonic()
            if unless_recent and now - self._last < KICK_INTERVAL:
                return
            self._last = now
        env = {**os.environ, **self.settings.as_env()}
        logs = self.settings.data_dir / "logs"
        try:
            logs.mkdir(parents=True, exist_ok=True)
            out = open(logs / "ingest-worker.log", "ab")  # noqa: SIM115 - handed to the child, closed below
            proc = subprocess.Popen(
                [sys.executable, "-m", "ingest", "jobs"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError:
            logger.exception("could not start the ingest worker")
            return
        out.close()
        threading.Thread(target=proc.wait, name="ingest-worker-reaper", daemon=True).start()
        logger.info("started the ingest worker (pid %d)", proc.pid)
