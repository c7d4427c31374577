"""Swagger UI (/docs) and ReDoc (/redoc) in headless Chromium with no host but this machine reachable: every
script, style, font and image the page asks for is the API's own, and the operations list renders."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import requested_urls

WAIT = 30.0


def operation_ids(api: str) -> set[str]:
    spec = httpx.get(f"{api}/openapi.json").json()
    return {
        op["operationId"] for item in spec["paths"].values() for op in item.values() if "operationId" in op
    }


def wait_for(driver: Any, script: str, message: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(lambda d: d.execute_script(script), message)


def foreign(api: str, urls: list[str]) -> list[str]:
    """The URLs that are not this API's."""
    return [u for u in urls if urlsplit(u).netloc != urlsplit(api).netloc]


def open_page(driver: Any, url: str) -> None:
    driver.get_log("browser")  # start with an empty console and network log
    requested_urls(driver)
    driver.get(url)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_requests_nothing_from_another_host(driver: Any, api: str, page: str) -> None:
    open_page(driver, api + page)
    wait_for(driver, "return document.readyState === 'complete'", f"{page} did not finish loading")
    if page == "/docs":
        wait_for(driver, "return document.querySelectorAll('.opblock').length > 0", "no operations shown")
    else:
        wait_for(driver, "return document.querySelectorAll('[data-section-id]').length > 0", "ReDoc is blank")
    urls = requested_urls(driver)
    assert any(u.endswith("/openapi.json") for u in urls), urls
    assert not foreign(api, urls), f"{page} asked other hosts: {foreign(api, urls)}"
    # "security" entries are the page's policy refusing other hosts (ReDoc's Redocly logo): nothing was sent.
    console = driver.get_log("browser")
    errors = [e for e in console if e.get("level") == "SEVERE" and e.get("source") != "security"]
    assert not errors, errors
    refused = [e["message"] for e in console if e.get("source") == "security"]
    assert all("Content Security Policy" in m and "blocked" in m for m in refused), refused


def test_swagger_ui_lists_every_operation(driver: Any, api: str) -> None:
    expected = operation_ids(api)
    open_page(driver, api + "/docs")
    wait_for(
        driver,
        f"return document.querySelectorAll('.opblock').length >= {len(expected)}",
        "Swagger UI did not render every operation",
    )
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('.opblock')).map(e => e.id.split('-').slice(2).join('-'))"
    )
    assert set(shown) == expected
    title = driver.execute_script("return document.querySelector('.info .title').textContent")
    assert "帮扶通 API" in title


def test_redoc_lists_every_operation(driver: Any, api: str) -> None:
    expected = operation_ids(api)
    open_page(driver, api + "/redoc")
    script = "return Array.from(document.querySelectorAll('[data-section-id^=\"operation/\"]'))"
    wait_for(driver, script + f".length >= {len(expected)}", "ReDoc did not render every operation")
    shown = driver.execute_script(script + ".map(e => e.getAttribute('data-section-id').slice(10))")
    assert set(shown) == expected
