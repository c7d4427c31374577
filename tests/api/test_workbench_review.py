"""待回答 over the real app and corpus, on SQLite and PostgreSQL: unanswered questions and 没用 votes carry the
asking user's village, a cadre reviews only their own jurisdiction's (county cadres and admins everything),
names, ID and phone numbers are masked, alike questions are grouped, and marking handled stays in scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.workbench import County, county

ASKED = {  # chat user → a question the corpus cannot answer, naming a person, with a phone number
    "villager-baisha": "白沙村张志强家想问广场舞比赛什么时候报名，电话13812345678",
    "villager-liuwan": "柳湾村王秀兰想问县城赶集几点开始",
}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(
    request: pytest.FixtureRequest, corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[County]:
    pg = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    with county(corpus_data_dir, tmp_path_factory.mktemp("wb-review"), request.param, pg) as c:
        for user, question in ASKED.items():
            for _ in range(2):  # asked twice: one group of two
                r = c.client.post("/v1/ask", headers=c.chat(user), json={"question": question})
                assert r.status_code == 200 and r.json()["abstained"], r.text
        # asked on the portal (no chat user): the county's to review
        r = c.client.post(
            "/v1/ask", headers={"X-API-Key": c.portal_key}, json={"question": "明天县城会下雨吗"}
        )
        assert r.json()["abstained"]
        vote = {
            "question": "雨露计划怎么申请",
            "helpful": False,
            "answer": "（当时的回答）每学期申请一次",
            "doc_ids": ["x"],
        }
        assert c.client.post("/v1/feedback", headers=c.chat("villager-baisha"), json=vote).status_code == 204
        other = {**vote, "question": "光伏收益怎么分"}
        assert c.client.post("/v1/feedback", headers=c.chat("villager-liuwan"), json=other).status_code == 204
        yield c


def _questions(body: dict[str, object]) -> str:
    return str(body)


def test_a_village_cadre_reviews_only_what_their_village_asked_with_names_and_numbers_masked(
    world: County,
) -> None:
    baisha = world.client.get("/v1/unanswered", headers=world.chat("cadre-baisha"))
    assert baisha.status_code == 200
    body = baisha.json()
    groups = body["groups"]
    assert len(groups) == 1 and groups[0]["count"] == 2 and groups[0]["places"] == ["白沙村"]
    assert groups[0]["reasons"] and groups[0]["last_asked"]
    text = str(body)
    assert "张**" in groups[0]["question"] and "张志强" not in text
    assert "13812345678" not in text and "138****5678" in text
    assert "王秀兰" not in text and "赶集" not in text and "下雨" not in text
    assert [q["question"] for q in body["questions"]] and all(
        "广场舞" in q["question"] for q in body["questions"]
    )

    liuwan = world.client.get("/v1/unanswered", headers=world.chat("cadre-liuwan")).json()
    assert [g["count"] for g in liuwan["groups"]] == [2] and "王**" in liuwan["groups"][0]["question"]
    assert "广场舞" not in str(liuwan)


def test_county_cadres_and_admins_see_everything_including_unbound_askers(world: County) -> None:
    for headers in (world.chat("cadre-county"), world.admin):
        body = world.client.get("/v1/unanswered", headers=headers).json()
        faces = " ".join(g["question"] for g in body["groups"])
        assert "赶集" in faces and "广场舞" in faces and "下雨" in faces
        assert "张志强" not in str(body) and "王秀兰" not in str(body)


def test_others_may_not_read_the_review_lists(world: County) -> None:
    for path in ("/v1/unanswered", "/v1/feedback"):
        assert world.client.get(path).status_code == 401
        assert world.client.get(path, headers={"X-API-Key": world.portal_key}).status_code == 403
        villager = world.client.get(path, headers=world.chat("villager-baisha"))
        assert villager.status_code == 403 and "广场舞" not in villager.text
        assert world.client.get(path, headers=world.chat("stranger")).status_code == 403


def test_negative_votes_come_with_the_answer_that_got_them_in_scope(world: County) -> None:
    baisha = world.client.get("/v1/feedback", headers=world.chat("cadre-baisha")).json()["feedback"]
    assert [f["question"] for f in baisha] == ["雨露计划怎么申请"]
    assert baisha[0]["answer"] == "（当时的回答）每学期申请一次" and baisha[0]["place"] == "白沙村"
    county_view = world.client.get("/v1/feedback", headers=world.admin).json()["feedback"]
    assert {f["question"] for f in county_view} == {"雨露计划怎么申请", "光伏收益怎么分"}


def test_marking_handled_touches_only_the_reviewers_own_rows(world: County) -> None:
    baisha_group = world.client.get("/v1/unanswered", headers=world.chat("cadre-baisha")).json()["groups"][0]
    other = {"ids": baisha_group["ids"], "resolution": "other_office", "note": "县农机站 0000-1234567"}
    refused = world.client.post("/v1/unanswered/resolve", headers=world.chat("cadre-liuwan"), json=other)
    assert refused.status_code == 200 and refused.json() == {"resolved": 0}
    done = world.client.post("/v1/unanswered/resolve", headers=world.chat("cadre-baisha"), json=other)
    assert done.json() == {"resolved": 2}
    assert world.client.get("/v1/unanswered", headers=world.chat("cadre-baisha")).json()["groups"] == []
    bad = world.client.post(
        "/v1/unanswered/resolve", headers=world.chat("cadre-baisha"), json={**other, "resolution": "deleted"}
    )
    assert bad.status_code == 422
    votes = world.client.get("/v1/feedback", headers=world.admin).json()["feedback"]
    ids = [f["id"] for f in votes]
    assert world.client.post(
        "/v1/feedback/resolve",
        headers=world.chat("cadre-baisha"),
        json={"ids": ids, "resolution": "dismissed"},
    ).json() == {"resolved": 1}
    left = world.client.get("/v1/feedback", headers=world.admin).json()["feedback"]
    assert [f["question"] for f in left] == ["光伏收益怎么分"]
