"""The case endpoints from the workbench: a signed-in cadre works on the cases of their own jurisdiction at their
own level, an admin's session as the county, exactly as through the bot; a change needs the session's CSRF token;
every read and step is audit-logged as the workbench's. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.records.audit import AuditRecord
from core.records.cases import CaseStep
from tests.helpers.cases import JPEG, CaseWorld
from tests.helpers.workbench import Browser


def sign_in(world: CaseWorld, headers: dict[str, str]) -> Browser:
    """A new browser signed in with a link issued for the cadre (chat headers) or the admin (admin key)."""
    r = world.client.post("/v1/workbench/links", headers=headers)
    assert r.status_code == 201, r.text
    token = str(r.json()["url"]).split("token=", 1)[1]
    client = TestClient(world.client.app, raise_server_exceptions=False)
    opened = client.post("/workbench/signin", data={"token": token}, follow_redirects=False)
    assert opened.status_code == 303, opened.text
    return Browser(client, client.get("/v1/workbench/me").json()["csrf"])


@pytest.fixture(scope="module")
def case(case_world: CaseWorld) -> dict[str, Any]:
    """A case of 柳湾村 (filed by its bound household) with a photo."""
    r = case_world.report("villager-1", category="因病", description="老人住院，花了三万多")
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    headers = case_world.chat("villager-1") | {"Content-Type": "image/jpeg"}
    a = case_world.client.post(f"/v1/me/reports/{case_id}/attachments", headers=headers, content=JPEG)
    assert a.status_code == 201, a.text
    return {"case_id": case_id, "attachment": a.json()["id"]}


def steps(world: CaseWorld) -> int:
    with world.services.db.read_session() as session:
        return session.scalar(select(func.count()).select_from(CaseStep)) or 0


def workbench_audit(world: CaseWorld, action: str, case_id: str) -> list[AuditRecord]:
    with world.services.db.read_session() as session:
        rows = session.scalars(
            select(AuditRecord).where(
                AuditRecord.action == action,
                AuditRecord.channel == "workbench",
                AuditRecord.detail.contains(case_id),
            )
        )
        return list(rows)


def test_a_village_cadre_session_sees_only_its_villages_cases(
    case_world: CaseWorld, case: dict[str, Any]
) -> None:
    c, a = case["case_id"], case["attachment"]
    liuwan = sign_in(case_world, case_world.chat("cadre-a"))
    listed = liuwan.get("/v1/cases")
    assert listed.status_code == 200 and c in [x["case_id"] for x in listed.json()["cases"]]
    assert {x["village"] for x in listed.json()["cases"]} == {"柳湾村"}
    assert c in liuwan.get("/v1/cases?status=reported&overdue=false&village=柳湾村").text
    assert c not in liuwan.get("/v1/cases?village=白沙村").text
    detail = liuwan.get(f"/v1/cases/{c}")
    assert detail.status_code == 200 and detail.json()["attachments"][0]["id"] == a
    photo = liuwan.get(f"/v1/cases/{c}/attachments/{a}")
    assert photo.status_code == 200 and photo.content == JPEG
    assert workbench_audit(case_world, "case_view", c)  # the read is the workbench's, in the audit log

    baisha = sign_in(case_world, case_world.chat("cadre-b"))
    assert c not in baisha.get("/v1/cases").text
    for r in (
        baisha.get(f"/v1/cases/{c}"),
        baisha.get(f"/v1/cases/{c}/attachments/{a}"),
        baisha.send("POST", f"/v1/cases/{c}/actions", json={"action": "note", "note": "看看"}),
    ):
        assert r.status_code == 404 and "老人住院" not in r.text, r.text
    # the chat path refuses the same way
    assert case_world.client.get(f"/v1/cases/{c}", headers=case_world.chat("cadre-b")).status_code == 404


def test_an_action_without_the_csrf_token_is_refused(case_world: CaseWorld, case: dict[str, Any]) -> None:
    c = case["case_id"]
    liuwan = sign_in(case_world, case_world.chat("cadre-a"))
    before = steps(case_world)
    body = {"action": "verify", "note": "已入户"}
    missing = liuwan.send("POST", f"/v1/cases/{c}/actions", csrf=False, json=body)
    wrong = liuwan.send(
        "POST", f"/v1/cases/{c}/actions", csrf=False, json=body, headers={"X-CSRF-Token": "x"}
    )
    photo = liuwan.send(
        "POST", f"/v1/cases/{c}/attachments", csrf=False, content=JPEG, headers={"Content-Type": "image/jpeg"}
    )
    for r in (missing, wrong, photo):
        assert r.status_code == 403 and "CSRF" in r.json()["detail"], r.text
    assert steps(case_world) == before
    assert liuwan.get(f"/v1/cases/{c}").json()["status"] == "reported"
    ended = TestClient(case_world.client.app, raise_server_exceptions=False)
    ended.cookies.set("bangfu_wb", "not-a-session")
    assert ended.get("/v1/cases").status_code == 401


def test_a_village_cadre_session_verifies_and_an_admin_session_decides(
    case_world: CaseWorld, case: dict[str, Any]
) -> None:
    c = case["case_id"]
    liuwan = sign_in(case_world, case_world.chat("cadre-a"))
    too_early = liuwan.send("POST", f"/v1/cases/{c}/actions", json={"action": "review"})
    assert too_early.status_code in (400, 403, 422), too_early.text
    r = liuwan.send(
        "POST", f"/v1/cases/{c}/actions", json={"action": "verify", "note": "已入户核实，情况属实"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "village_verified"
    last = r.json()["history"][-1]
    assert (
        last["action"] == "verify"
        and last["note"] == "已入户核实，情况属实"
        and last["actor_role"] == "cadre"
    )
    assert workbench_audit(case_world, "case_action", c)
    # the village cadre's level ends here: the township's step is not theirs
    refused = liuwan.send("POST", f"/v1/cases/{c}/actions", json={"action": "review"})
    assert refused.status_code == 403, refused.text

    township = sign_in(case_world, case_world.chat("cadre-t"))
    assert township.send("POST", f"/v1/cases/{c}/actions", json={"action": "review"}).status_code == 200

    admin = sign_in(case_world, case_world.admin())
    assert c in admin.get("/v1/cases?status=township_reviewed").text
    decided = admin.send(
        "POST",
        f"/v1/cases/{c}/actions",
        json={
            "action": "decide",
            "monitoring_type": "突发严重困难户",
            "risk_level": "orange",
            "note": "纳入",
        },
    )
    assert decided.status_code == 200, decided.text
    out = decided.json()
    assert out["status"] == "included" and out["monitoring_type"] == "突发严重困难户"
    assert out["risk_level"] == "orange" and out["history"][-1]["actor_role"] == "admin"
    assert out["history"][-1]["actor"].startswith("admin:")
