"""Headless Debian Chromium for the browser tests, with every host but this machine unreachable.

Needs Debian's `chromium` and `chromium-driver` (/usr/bin/chromium, /usr/bin/chromedriver); without them the
tests skip, or fail when BANGFU_REQUIRE_CHROMIUM=1. Selenium Manager never runs: the driver path is explicit.
Names other than 127.0.0.1 resolve to nothing, as on a county network without internet, and the browser's
network log is kept so a test can list every request a page made.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.helpers.server import ServerThread

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def api(corpus_services: Any) -> Iterator[str]:
    """The real app over the ingested corpus, served on a free local port (development: no key needed)."""
    from api.app import create_app

    server = ServerThread(create_app(services=corpus_services), free_port()).start()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Debian Chromium with a fresh profile, capturing the browser console and network log."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        reason = (
            f"headless Chromium tests need {' and '.join(missing)} (apt-get install chromium chromium-driver)"
        )
        if os.environ.get("BANGFU_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    work = tmp_path_factory.mktemp("chromium")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={work / 'profile'}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(work / "chromedriver.log"))
    drv = webdriver.Chrome(service=service, options=options)
    yield drv
    drv.quit()


def requested_urls(driver: Any) -> list[str]:
    """Every http(s) URL the browser sent a request for since the last call (from the performance log), failed
    ones included; those the page's Content-Security-Policy stopped before they were sent are left out."""
    sent: dict[str, str] = {}
    refused: set[str] = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            sent[params["requestId"]] = str(params["request"]["url"])
        elif message.get("method") == "Network.loadingFailed" and params.get("blockedReason") == "csp":
            refused.add(params["requestId"])
    return [url for rid, url in sent.items() if rid not in refused and url.startswith(("http:", "https:"))]
