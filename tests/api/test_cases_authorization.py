"""Every case endpoint tried by every caller who must not get through: no key, a wrong key, a portal key, an
admin key on the chat users' endpoints, another channel, an unbound chat user, the other household and the other
village's cadre. Refusals are `{"error", "detail"}` bodies with nothing of the case, and change nothing (no step,
no audit record, no attachment, no notification). The right cadres and the admin get through. On SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import Response
from sqlalchemy import func, select

from core.records.audit import AuditRecord
from core.records.cases import CaseAttachment, CaseNotification, CaseStep
from tests.helpers.cases import H1, JPEG, CaseWorld

DESCRIPTION = "柳湾村一户的困难情况描述"


@pytest.fixture(scope="module")
def target(case_world: CaseWorld) -> dict[str, Any]:
    """H1's case, with one attachment, filed by its bound household."""
    r = case_world.report("villager-1", category="因意外", description=DESCRIPTION)
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    headers = case_world.chat("villager-1") | {"Content-Type": "image/jpeg"}
    a = case_world.client.post(f"/v1/me/reports/{case_id}/attachments", headers=headers, content=JPEG)
    assert a.status_code == 201, a.text
    return {"case_id": case_id, "attachment": a.json()["id"]}


def endpoints(t: dict[str, Any]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    c, a = t["case_id"], t["attachment"]
    return {
        "cases": [
            ("GET", "/v1/cases", {}),
            ("GET", f"/v1/cases/{c}", {}),
            ("POST", f"/v1/cases/{c}/actions", {"json": {"action": "note", "note": "x"}}),
            ("POST", f"/v1/cases/{c}/actions", {"json": {"action": "verify"}}),
            (
                "POST",
                f"/v1/cases/{c}/attachments",
                {"content": JPEG, "headers": {"Content-Type": "image/jpeg"}},
            ),
            ("GET", f"/v1/cases/{c}/attachments/{a}", {}),
        ],
        "reports": [
            (
                "POST",
                "/v1/me/reports",
                {"json": {"category": "因病", "description": "x", "village": "柳湾村"}},
            ),
            ("GET", "/v1/me/reports", {}),
            ("GET", f"/v1/me/reports/{c}", {}),
            ("POST", f"/v1/me/reports/{c}/more", {"json": {"note": "x"}}),
            ("POST", f"/v1/me/reports/{c}/withdraw", {"json": {}}),
            (
                "POST",
                f"/v1/me/reports/{c}/attachments",
                {"content": JPEG, "headers": {"Content-Type": "image/jpeg"}},
            ),
        ],
        "channel": [
            ("POST", "/v1/notifications/claim", {"json": {}}),
            ("POST", "/v1/notifications/ack", {"json": {"ids": [1]}}),
            ("POST", "/v1/notifications/digest", {}),
            ("GET", "/v1/villages", {}),
        ],
    }


def call(
    world: CaseWorld, method: str, path: str, headers: dict[str, str], extra: dict[str, Any]
) -> Response:
    extra = dict(extra)
    merged = headers | extra.pop("headers", {})
    return world.client.request(method, path, headers=merged, **extra)


def footprint(world: CaseWorld, case_id: str) -> tuple[int, ...]:
    with world.services.db.read_session() as session:
        return (
            session.scalar(select(func.count()).select_from(CaseStep)) or 0,
            session.scalar(select(func.count()).select_from(CaseAttachment)) or 0,
            session.scalar(select(func.count()).select_from(CaseNotification)) or 0,
            session.scalar(
                select(func.count()).select_from(AuditRecord).where(AuditRecord.detail.contains(case_id))
            )
            or 0,
        )


def assert_refused(r: Response, statuses: set[int], who: str, path: str) -> None:
    assert r.status_code in statuses, f"{who} {path}: {r.status_code} {r.text}"
    assert set(r.json()) == {"error", "detail"}, f"{who} {path}: {r.text}"
    assert DESCRIPTION not in r.text and H1.household_no not in r.text


def test_no_key_a_wrong_key_and_a_portal_key_get_nothing(
    case_world: CaseWorld, target: dict[str, Any]
) -> None:
    before = footprint(case_world, target["case_id"])
    callers = {
        "no key": ({"X-Chat-User-Id": "villager-1"}, {401}),
        "wrong key": ({"Authorization": "Bearer nope", "X-Chat-User-Id": "cadre-a"}, {401}),
        "portal key": ({"X-API-Key": case_world.portal_key, "X-Chat-User-Id": "cadre-a"}, {403}),
    }
    for who, (headers, statuses) in callers.items():
        for group in endpoints(target).values():
            for method, path, extra in group:
                assert_refused(call(case_world, method, path, headers, extra), statuses, who, path)
    assert footprint(case_world, target["case_id"]) == before


def test_an_admin_key_works_cases_but_is_no_chat_user_or_channel(
    case_world: CaseWorld, target: dict[str, Any]
) -> None:
    admin = case_world.admin() | {"X-Chat-User-Id": "villager-1"}
    before = footprint(case_world, target["case_id"])
    for group in ("reports", "channel"):
        for method, path, extra in endpoints(target)[group]:
            assert_refused(call(case_world, method, path, admin, extra), {403}, "admin", path)
    assert footprint(case_world, target["case_id"]) == before
    listed = case_world.client.get("/v1/cases", headers=case_world.admin())
    assert target["case_id"] in listed.text
    got = case_world.client.get(
        f"/v1/cases/{target['case_id']}/attachments/{target['attachment']}", headers=case_world.admin()
    )
    assert got.status_code == 200 and got.content == JPEG


def test_the_other_household_sees_nothing_of_the_case(case_world: CaseWorld, target: dict[str, Any]) -> None:
    before = footprint(case_world, target["case_id"])
    other = case_world.chat("villager-2")
    for method, path, extra in endpoints(target)["cases"]:
        assert_refused(call(case_world, method, path, other, extra), {403}, "villager-2", path)
    for method, path, extra in endpoints(target)["reports"][2:]:
        assert_refused(call(case_world, method, path, other, extra), {404}, "villager-2", path)
    own = case_world.client.get("/v1/me/reports", headers=other)
    assert own.status_code == 200 and target["case_id"] not in own.text and DESCRIPTION not in own.text
    after = footprint(case_world, target["case_id"])
    assert after == before


def test_another_channel_and_an_unbound_user_get_nothing(
    case_world: CaseWorld, target: dict[str, Any]
) -> None:
    before = footprint(case_world, target["case_id"])
    for who, headers in (
        ("another channel", case_world.chat("villager-1", case_world.other_channel_key)),
        ("another channel's cadre id", case_world.chat("cadre-a", case_world.other_channel_key)),
        ("unbound", case_world.chat("stranger")),
    ):
        for method, path, extra in endpoints(target)["cases"]:
            assert_refused(call(case_world, method, path, headers, extra), {403}, who, path)
        for method, path, extra in endpoints(target)["reports"][2:]:
            assert_refused(call(case_world, method, path, headers, extra), {404}, who, path)
    other_claim = case_world.client.post(
        "/v1/notifications/claim", headers=case_world.chat("x", case_world.other_channel_key), json={}
    )
    assert other_claim.status_code == 200 and other_claim.json()["notifications"] == []
    assert footprint(case_world, target["case_id"]) == before


def test_the_other_village_s_cadre_gets_404_and_the_right_cadres_get_through(
    case_world: CaseWorld, target: dict[str, Any]
) -> None:
    before = footprint(case_world, target["case_id"])
    cadre_b = case_world.chat("cadre-b")
    for method, path, extra in endpoints(target)["cases"][1:]:
        assert_refused(call(case_world, method, path, cadre_b, extra), {404}, "cadre-b", path)
    listed = case_world.client.get("/v1/cases", headers=cadre_b)
    assert listed.status_code == 200 and target["case_id"] not in listed.text
    for method, path, extra in endpoints(target)["reports"]:  # a cadre account reports nothing through here
        assert_refused(call(case_world, method, path, cadre_b, extra), {403}, "cadre-b", path)
    assert footprint(case_world, target["case_id"]) == before
    # A township cadre cannot take the village's step; the village's cadre can.
    assert case_world.act("cadre-t", target["case_id"], action="verify").status_code == 403
    for who in ("cadre-a", "cadre-t", "cadre-c"):
        r = case_world.client.get(f"/v1/cases/{target['case_id']}", headers=case_world.chat(who))
        assert r.status_code == 200 and r.json()["description"] == DESCRIPTION
    got = case_world.client.get(
        f"/v1/cases/{target['case_id']}/attachments/{target['attachment']}",
        headers=case_world.chat("cadre-a"),
    )
    assert got.status_code == 200 and got.content == JPEG
    assert case_world.act("cadre-a", target["case_id"], action="verify").status_code == 200
    reads = footprint(case_world, target["case_id"])[3] - before[3]
    assert reads >= 5  # every read and the action were audited
