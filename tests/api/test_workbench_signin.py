"""Workbench sign-in and sessions over the real app, on SQLite and PostgreSQL: single-use expiring links from the
bot's channel, the session cookie, CSRF on every change, sign-out, an admin's revocation, admin key sign-in, and
who may do what (another village's cadre, a villager, the portal key, no key, an admin)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from core.records.audit import AuditRecord
from core.records.db import utcnow
from core.records.staff import SignInLink, StaffSession
from tests.helpers.workbench import LIUWAN, County, county


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(
    request: pytest.FixtureRequest, corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[County]:
    pg = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    with county(corpus_data_dir, tmp_path_factory.mktemp("wb-signin"), request.param, pg) as c:
        yield c


def test_a_cadre_link_opens_one_session_with_a_strict_http_only_cookie(world: County) -> None:
    token = world.link(world.chat("cadre-baisha"))
    browser = world.browser()
    page = browser.get(f"/workbench/signin?token={token}")
    assert page.status_code == 200 and token in page.text  # the page posts it; opening the link uses nothing
    assert "default-src 'none'" in page.headers["content-security-policy"]
    opened = browser.post("/workbench/signin", data={"token": token}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/workbench"
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith("bangfu_wb=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie and "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    me = browser.get("/v1/workbench/me").json()
    assert me["kind"] == "cadre" and me["area"] == "白沙乡白沙村" and me["level"] == "village"
    assert not me["county_level"] and len(me["csrf"]) > 20
    assert "app.js" in browser.get("/workbench").text
    again = world.browser().post("/workbench/signin", data={"token": token}, follow_redirects=False)
    assert again.status_code == 401 and "bangfu_wb=" not in again.headers.get("set-cookie", "")
    assert "已经用过或已过期" in again.text


def test_a_link_posted_from_another_site_signs_nobody_in(world: County) -> None:
    token = world.link(world.chat("cadre-liuwan"))
    browser = world.browser()
    evil = {"Origin": "https://evil.example"}
    r = browser.post("/workbench/signin", data={"token": token}, headers=evil, follow_redirects=False)
    assert r.status_code == 403 and "bangfu_wb=" not in r.headers.get("set-cookie", "")
    own = {"Origin": "http://testserver"}
    r = browser.post("/workbench/signin", data={"token": token}, headers=own, follow_redirects=False)
    assert r.status_code == 303  # the refused post did not use the link up


def test_an_expired_link_signs_nobody_in(world: County) -> None:
    token = world.link(world.chat("cadre-liuwan"))
    with world.services.db.session() as session:
        session.execute(update(SignInLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = world.browser().post("/workbench/signin", data={"token": token}, follow_redirects=False)
    assert r.status_code == 401
    assert world.browser().post("/workbench/signin", data={"token": "x" * 43}).status_code == 401


def test_under_https_the_cookie_is_secure(world: County) -> None:
    token = world.link(world.chat("cadre-liuwan"))
    browser = world.browser(base_url="https://testserver")
    r = browser.post("/workbench/signin", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_only_cadres_and_admins_get_links(world: County) -> None:
    assert world.client.post("/v1/workbench/links").status_code == 401
    assert (
        world.client.post("/v1/workbench/links", headers={"X-API-Key": world.portal_key}).status_code == 403
    )
    villager = world.client.post("/v1/workbench/links", headers=world.chat("villager-liuwan"))
    assert villager.status_code == 403 and LIUWAN.household_no not in villager.text
    unbound = world.client.post("/v1/workbench/links", headers=world.chat("stranger"))
    assert unbound.status_code == 403 and unbound.json()["error"] == "NotBound"
    assert world.client.post("/v1/workbench/links", headers=world.admin).status_code == 201
    with world.services.db.read_session() as session:
        assert (
            session.scalar(select(func.count()).select_from(SignInLink).where(SignInLink.admin.is_(None)))
            >= 1
        )


def test_changes_need_the_csrf_token_and_reads_do_not(world: County) -> None:
    browser = world.sign_in("cadre-baisha")
    body = {"ids": [1], "resolution": "dismissed", "note": ""}
    assert browser.get("/v1/unanswered").status_code == 200
    missing = browser.send("POST", "/v1/unanswered/resolve", csrf=False, json=body)
    assert missing.status_code == 403 and "CSRF" in missing.json()["detail"]
    wrong = browser.send(
        "POST", "/v1/unanswered/resolve", csrf=False, json=body, headers={"X-CSRF-Token": "x"}
    )
    assert wrong.status_code == 403
    assert browser.send("POST", "/v1/unanswered/resolve", json=body).status_code == 200
    assert browser.send("POST", "/v1/workbench/signout", csrf=False).status_code == 403  # no forced sign-out
    assert browser.get("/v1/workbench/me").status_code == 200


def test_sign_out_and_an_admins_revocation_end_sessions_at_once(world: County) -> None:
    leaving = world.sign_in("cadre-liuwan")
    r = leaving.send("POST", "/v1/workbench/signout")
    assert r.status_code == 204 and 'bangfu_wb=""' in r.headers["set-cookie"]
    leaving.client.cookies.clear()
    assert leaving.get("/v1/workbench/me").status_code == 401

    stolen = world.sign_in("cadre-liuwan")
    token = stolen.client.cookies.get("bangfu_wb")
    admin = world.sign_in(None)
    sessions = admin.get("/v1/admin/sessions").json()["sessions"]
    assert sessions and all("token" not in s for s in sessions)
    assert world.sign_in("cadre-baisha").get("/v1/admin/sessions").status_code == 403
    with world.services.db.read_session() as session:
        target = session.scalar(
            select(StaffSession.id).where(
                StaffSession.token_hash == hashlib.sha256(str(token).encode()).hexdigest()
            )
        )
    assert admin.send("POST", f"/v1/admin/sessions/{target}/revoke").status_code == 204
    assert stolen.get("/v1/workbench/me").status_code == 401  # the next request, whatever replica
    assert (
        world.client.post(
            f"/v1/admin/sessions/{target}/revoke", headers={"X-API-Key": world.portal_key}
        ).status_code
        == 403
    )
    with world.services.db.read_session() as session:
        actions = set(session.scalars(select(AuditRecord.action)))
    assert {"workbench_signin", "workbench_revoke"} <= actions


def test_an_admin_signs_in_with_an_admin_key_and_no_other(world: County) -> None:
    browser = world.browser()
    page = browser.get("/workbench")
    assert page.status_code == 200 and "/workbench" in page.text and "app.js" not in page.text
    pre = browser.cookies.get("bangfu_wb_pre")
    assert pre and f'value="{pre}"' in page.text
    portal = browser.post(
        "/workbench/key", data={"key": world.portal_key, "pre": pre}, follow_redirects=False
    )
    assert portal.status_code == 401 and "bangfu_wb=" not in portal.headers.get("set-cookie", "")
    pre = browser.cookies.get("bangfu_wb_pre")
    forged = world.browser().post(
        "/workbench/key", data={"key": world.admin_key, "pre": "guess"}, follow_redirects=False
    )
    assert forged.status_code == 403  # no double-submitted token: a cross-site form cannot sign anyone in
    ok = browser.post("/workbench/key", data={"key": world.admin_key, "pre": pre}, follow_redirects=False)
    assert ok.status_code == 303 and "bangfu_wb=" in ok.headers["set-cookie"]
    assert browser.get("/v1/workbench/me").json()["kind"] == "admin"


def test_no_key_and_no_session_is_refused_everywhere(world: County) -> None:
    for method, path in (
        ("POST", "/v1/curated"),
        ("DELETE", "/v1/curated/1"),
        ("POST", "/v1/documents/qinghe-education-aid-2023/status"),
        ("POST", "/v1/unanswered/resolve"),
        ("GET", "/v1/workbench/me"),
        ("GET", "/v1/unanswered"),
        ("GET", "/v1/feedback"),
        ("GET", "/v1/curated"),
        ("GET", "/v1/library"),
        ("POST", "/v1/retrieval-test"),
        ("GET", "/v1/audit"),
        ("GET", "/v1/admin/sessions"),
        ("GET", "/v1/ingest/jobs"),
    ):
        r = world.client.request(method, path, json={"question": "x"} if method == "POST" else None)
        assert r.status_code == 401, (path, r.text)
        r = world.client.request(
            method,
            path,
            headers={"X-API-Key": world.portal_key},
            json={"question": "x"} if method == "POST" else None,
        )
        assert r.status_code == 403, (path, r.text)
    # a cookie from nowhere is no session
    stranger = world.browser()
    stranger.cookies.set("bangfu_wb", "forged")
    assert stranger.get("/v1/workbench/me").status_code == 401
