"""The workbench's 案件 tab in headless Debian Chromium against the real API (uvicorn): a bound household files a
report with a photo through the channel, the village cadre signs in, finds it in the tab, opens it (history, the
photo), verifies it from the page with a note, and the case moves on. Screenshots of the list and the case at
1366×768 and 390×844 go to the test's tmp dir (or to BANGFU_TEST_SCREENSHOTS)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.test_workbench_chromium import (  # noqa: F401 - fixtures
    HTTP_TIMEOUT,
    SIZES,
    css,
    css_all,
    screenshots,
    shots,
    sign_in,
    wait,
    world,
)
from tests.helpers.workbench import County

NOTE = "已入户核实，老人住院属实"


def png(width: int = 48, height: int = 32) -> bytes:
    """A small real PNG (an orange block), so the page shows an actual photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xe0\x80\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_a_reported_case_is_verified_from_the_cases_tab(
    world: tuple[County, str],  # noqa: F811
    driver: Any,
    shots: Path,  # noqa: F811
) -> None:
    c, api = world
    filed = httpx.post(
        timeout=HTTP_TIMEOUT,
        url=f"{api}/v1/me/reports",
        headers=c.chat("villager-liuwan"),
        json={"category": "因病", "description": "老人住院了，花了三万多，家里周转不开", "urgent": True},
    )
    assert filed.status_code == 201, filed.text
    case_id = filed.json()["case_id"]
    photo = httpx.post(
        timeout=HTTP_TIMEOUT,
        url=f"{api}/v1/me/reports/{case_id}/attachments",
        headers=c.chat("villager-liuwan") | {"Content-Type": "image/png"},
        content=png(),
    )
    assert photo.status_code == 201, photo.text

    sign_in(driver, api, c.chat("cadre-liuwan"))
    screenshots(driver, shots, "cases-list", ("cases",))
    driver.set_window_size(*SIZES[0])
    driver.execute_script("location.hash = '#pending'")
    driver.execute_script("location.hash = '#cases'")
    row = wait(
        driver, lambda: css(driver, f'#case-table tr[data-case="{case_id}"]'), "the case is not listed"
    )
    assert "青禾镇柳湾村" in row.text and "因病" in row.text and "已申报，等村里入户核实" in row.text
    assert "急难" in row.text

    css(driver, f'#case-table tr[data-case="{case_id}"] a.case-open').click()
    detail = wait(driver, lambda: css(driver, "#case-detail"), "the case did not open")
    assert "老人住院了" in detail.text and "申报 → 农户申报" in detail.text
    wait(
        driver,
        lambda: driver.execute_script(
            "const i = document.querySelector('.case-photo'); return i && i.naturalWidth"
        ),
        "the photo did not load",
    )
    buttons = {b.get_attribute("data-action") for b in css_all(driver, "#case-actions button")}
    assert {"verify", "return", "withdraw", "note"} <= buttons and "review" not in buttons
    assert not css_all(driver, "#case-monitoring")  # the decision's choices only where a decision is possible
    for width, height in SIZES:
        driver.set_window_size(width, height)
        inner = driver.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")
        assert inner[1] <= inner[0] + 1, f"the case scrolls sideways at {width}×{height}: {inner}"
        path = shots / f"cases-detail-{width}x{height}.png"
        assert driver.save_screenshot(str(path)) and path.stat().st_size > 5000

    css(driver, "#case-note").send_keys(NOTE)
    css(driver, '#case-actions button[data-action="verify"]').click()
    wait(
        driver,
        lambda: "村里已核实，等乡镇审核" in css(driver, "#case-detail").text,
        "the status did not change",
    )
    history = css(driver, "#case-history").text
    assert NOTE in history and "村级核实 → 村级已核实" in history
    assert "verify" not in {b.get_attribute("data-action") for b in css_all(driver, "#case-actions button")}

    seen = httpx.get(timeout=HTTP_TIMEOUT, url=f"{api}/v1/cases/{case_id}", headers=c.admin).json()
    assert seen["status"] == "village_verified" and seen["history"][-1]["note"] == NOTE
    assert seen["history"][-1]["actor_role"] == "cadre"
