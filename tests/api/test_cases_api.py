"""Hardship reports and cases over the real API (production settings, a fixed clock): the contract, the whole
path with working-day deadlines, merging, unbound and 代报 reporters, bad input, attachments, the outbox, the
OpenAPI page. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.helpers.cases import CHANNEL_KEY, H1, JPEG, CaseWorld

STATUSES = {
    "reported",
    "village_verified",
    "township_reviewed",
    "included",
    "not_included",
    "returned",
    "withdrawn",
}


def claim(world: CaseWorld, chat_user_id: str) -> list[dict]:
    r = world.client.post("/v1/notifications/claim", headers=world.chat("x"), json={"limit": 100})
    assert r.status_code == 200, r.text
    mine = [n for n in r.json()["notifications"] if n["chat_user_id"] == chat_user_id]
    ack = world.client.post(
        "/v1/notifications/ack",
        headers=world.chat("x"),
        json={"ids": [n["id"] for n in r.json()["notifications"]]},
    )
    assert ack.status_code == 200
    return mine


def test_report_verify_review_decide_with_deadlines_and_every_step_told(case_world: CaseWorld) -> None:
    world = case_world
    world.clock.at = datetime(2024, 9, 30, 2, tzinfo=UTC)
    claim(world, "")  # start from an empty outbox
    r = world.report("villager-1", amount_range="20k_50k", urgent=True)
    assert r.status_code == 201, r.text
    body = r.json()
    case_id = body["case_id"]
    assert (
        body["status"] == "reported"
        and body["due"] == "2024-10-09"
        and body["household_no"] == H1.household_no
    )
    assert body["merged"] is False and body["waits_on"] == "village" and body["status_label"]
    assert [h["status"] for h in body["history"]] == ["reported"]
    assert [n["kind"] for n in claim(world, "cadre-a")] == ["case_queue"]  # the village cadre is told

    again = world.report("villager-1", description="又花了五千")
    assert again.status_code == 200 and again.json()["merged"] and again.json()["case_id"] == case_id

    listed = world.client.get("/v1/cases", headers=world.chat("cadre-a")).json()["cases"]
    assert [
        (c["case_id"], c["village"], c["category"], c["status"], c["due"], c["overdue"]) for c in listed
    ] == [(case_id, "柳湾村", "因病", "reported", "2024-10-09", False)]
    world.clock.at = datetime(2024, 10, 8, 2, tzinfo=UTC)
    r = world.act("cadre-a", case_id, action="verify", note="入户核实，情况属实")
    assert (
        r.status_code == 200 and r.json()["status"] == "village_verified" and r.json()["due"] == "2024-10-14"
    )
    assert world.act("cadre-t", case_id, action="review", note="同意").json()["status"] == "township_reviewed"
    decided = world.act(
        "cadre-c",
        case_id,
        action="decide",
        note="纳入监测",
        monitoring_type="突发严重困难户",
        risk_level="red",
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "included" and decided.json()["risk_label"].startswith("红色")

    told = claim(world, "villager-1")
    assert [(n["kind"], n["payload"]["status"]) for n in told] == [
        ("case_step", "village_verified"),
        ("case_step", "township_reviewed"),
        ("case_step", "included"),
    ]
    assert told[0]["payload"]["due"] == "2024-10-14" and told[0]["case_id"] == case_id
    mine = world.client.get("/v1/me/reports", headers=world.chat("villager-1")).json()["reports"]
    report = next(x for x in mine if x["case_id"] == case_id)
    assert [(h["status"], h["note"]) for h in report["history"]] == [
        ("reported", None),
        ("reported", "又花了五千"),
        ("village_verified", "入户核实，情况属实"),
        ("township_reviewed", "同意"),
        ("included", "纳入监测"),
    ]
    assert report["monitoring_type"] == "突发严重困难户" and report["due"] is None
    assert set(report["history"][0]) == {"status", "at", "note", "action", "due"}  # never who acted
    detail = world.client.get(f"/v1/cases/{case_id}", headers=world.chat("cadre-t")).json()
    assert [h["actor_role"] for h in detail["history"]] == [
        "household",
        "household",
        "cadre",
        "cadre",
        "cadre",
    ]


def test_overdue_cases_show_in_the_next_level_s_queue(case_world: CaseWorld) -> None:
    world = case_world
    world.clock.at = datetime(2024, 9, 30, 3, tzinfo=UTC)
    case_id = world.report("villager-1", category="因灾", description="冰雹").json()["case_id"]
    queue = {"queue": "true"}
    assert case_id not in str(
        world.client.get("/v1/cases", headers=world.chat("cadre-t"), params=queue).json()
    )
    world.clock.at = datetime(2024, 10, 10, 3, tzinfo=UTC)
    late = world.client.get("/v1/cases", headers=world.chat("cadre-t"), params=queue | {"overdue": "true"})
    assert [(c["case_id"], c["waits_on"], c["overdue"]) for c in late.json()["cases"]] == [
        (case_id, "village", True)
    ]
    assert (
        world.client.get("/v1/cases", headers=world.chat("cadre-a"), params={"status": "bogus"}).status_code
        == 422
    )


def test_unbound_and_on_behalf_reporters_name_a_village_with_a_verified_phone(case_world: CaseWorld) -> None:
    world = case_world
    villages = world.client.get("/v1/villages", headers=world.chat("n1")).json()["villages"]
    assert {"township": "青禾镇", "village": "柳湾村"} in villages
    no_village = world.report("neighbour", on_behalf=True, phone="13912345670", phone_verified=True)
    assert no_village.status_code == 422 and "village" in no_village.json()["detail"]
    unverified = world.report("neighbour", on_behalf=True, phone="13912345670", village="柳湾村")
    assert unverified.status_code == 422 and "verified" in unverified.json()["detail"]
    r = world.report("neighbour", on_behalf=True, phone="13912345670", phone_verified=True, village="柳湾村")
    assert r.status_code == 201 and r.json()["on_behalf"] and r.json()["household_no"] is None
    detail = world.client.get(f"/v1/cases/{r.json()['case_id']}", headers=world.chat("cadre-a")).json()
    assert detail["reporter_phone_masked"] == "139****5670" and "13912345670" not in str(detail)
    cadre_report = world.report("cadre-a", village="柳湾村")
    assert cadre_report.status_code == 403


def test_bad_input_is_a_422_with_a_plain_message_and_loses_nothing(case_world: CaseWorld) -> None:
    world = case_world
    before = world.client.get("/v1/me/reports", headers=world.chat("villager-2")).json()["reports"]
    for body in (
        {"description": ""},
        {"description": "x" * 1001},
        {"category": "天灾"},
        {"amount_range": "lots"},
        {"urgent": "yes"},
        {"description": "nul\x00"},
    ):
        r = world.report("villager-2", **body)
        assert r.status_code == 422, body
        assert set(r.json()) == {"error", "detail"} and r.json()["detail"]
    case_id = world.report("villager-2", category="失业", description="厂子停工").json()["case_id"]
    url = f"/v1/me/reports/{case_id}/attachments"
    headers = world.chat("villager-2") | {"Content-Type": "image/jpeg"}
    assert world.client.post(url, headers=headers, content=JPEG).status_code == 201
    for data in (b"%PDF-1.7 a bill", b"", JPEG + b"\x00" * 4096):
        r = world.client.post(url, headers=headers, content=data)
        assert r.status_code == 422 and r.json()["error"] == "InvalidInput", r.text
    assert (
        world.client.post(url, headers=headers, content=JPEG * 80).status_code == 413
    )  # far over: refused unread
    assert world.client.get("/v1/cases/FY-nope", headers=world.chat("cadre-b")).status_code == 422
    assert world.act("cadre-b", case_id, action="jump").status_code == 422
    assert (
        world.act("cadre-b", case_id, action="reject", note="x").status_code == 422
    )  # not at the county yet
    after = world.client.get("/v1/me/reports", headers=world.chat("villager-2")).json()["reports"]
    assert {r["case_id"] for r in before} | {case_id} == {r["case_id"] for r in after}
    detail = world.client.get(f"/v1/cases/{case_id}", headers=world.chat("cadre-b")).json()
    assert len(detail["attachments"]) == 1
    got = world.client.get(
        f"/v1/cases/{case_id}/attachments/{detail['attachments'][0]['id']}", headers=world.chat("cadre-b")
    )
    assert got.status_code == 200 and got.content == JPEG and got.headers["content-type"] == "image/jpeg"


def test_a_return_is_answered_and_a_report_withdrawn(case_world: CaseWorld) -> None:
    world = case_world
    case_id = world.report("villager-2", category="产业失败", description="羊病死了").json()["case_id"]
    returned = world.act("cadre-b", case_id, action="return", note="请补兽医证明")
    assert returned.json()["status"] == "returned" and returned.json()["waits_on"] == "household"
    more = world.client.post(
        f"/v1/me/reports/{case_id}/more", headers=world.chat("villager-2"), json={"note": "已交"}
    )
    assert more.status_code == 200 and more.json()["status"] == "reported"
    gone = world.client.post(f"/v1/me/reports/{case_id}/withdraw", headers=world.chat("villager-2"), json={})
    assert gone.json()["status"] == "withdrawn"
    assert world.act("cadre-b", case_id, action="verify").status_code == 422


def test_openapi_documents_every_status_and_action(case_world: CaseWorld) -> None:
    spec = case_world.client.get("/openapi.json").json()
    text = str(spec)
    status_schema = spec["components"]["schemas"]["CaseDetailOut"]["properties"]["status"]
    assert set(status_schema["x-enum-descriptions"]) == STATUSES
    assert all(f"`{s}`" in status_schema["description"] for s in STATUSES)
    assert "x-enum-descriptions" in str(spec["components"]["schemas"]["ActionIn"])
    for path in ("/v1/me/reports", "/v1/cases", "/v1/cases/{case_id}/actions", "/v1/notifications/claim"):
        assert path in spec["paths"]
    assert "image/jpeg" in text and CHANNEL_KEY not in text
