"""Conversations over /v1/ask and /v1/chat/completions: follow-ups read in context, new topics, clarifying
questions, expiry, and replicas sharing a conversation through one database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.schemas.answers import AskOut
from core.answers import texts
from core.records.conversations import Conversation
from core.records.db import temporary_schema, utcnow
from tests.conftest import make_settings

CREDIT = "qinghe-microcredit-2023"
SPRING = "qinghe-spring-farming-2022"  # the expired 春耕 notice, which also lists materials
HOUSING = "qinghe-housing-safety-2023"
EDUCATION = "qinghe-education-aid-2023"


def _ask(client: TestClient, question: str, conversation_id: str | None = None) -> AskOut:
    body: dict[str, Any] = {"question": question}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    r = client.post("/v1/ask", json=body)
    assert r.status_code == 200, r.text
    return AskOut.model_validate(r.json())


def _docs(answer: AskOut) -> list[str]:
    return [c.doc_id for c in answer.citations]


def test_a_follow_up_is_answered_about_the_previous_measure(api_client: TestClient) -> None:
    first = _ask(api_client, "小额信贷怎么申请")
    assert first.conversation_id and CREDIT in _docs(first)
    alone = _ask(api_client, "那要带什么材料")  # no conversation: never an answer from a random document
    assert not alone.citations and alone.clarify
    follow = _ask(api_client, "那要带什么材料", first.conversation_id)
    assert follow.conversation_id == first.conversation_id
    assert _docs(follow) and _docs(follow)[0] == CREDIT and SPRING not in _docs(follow)
    assert [m.id for m in follow.measures][:1] == ["microcredit"]
    assert "身份证" in follow.answer and not follow.clarify
    who = _ask(api_client, "找谁办", follow.conversation_id)  # a third turn stays on the topic
    assert _docs(who)[0] == CREDIT


def test_a_follow_up_that_only_asks_is_not_declined_for_the_villagers_words_of_the_first_turn(
    api_client: TestClient,
) -> None:
    """供不起 and 娃 are no notice's words: the carried query would read as out of scope if judged afresh."""
    first = _ask(api_client, "家里娃上学供不起")
    assert _docs(first)[:1] == [EDUCATION]
    follow = _ask(api_client, "找谁申请", first.conversation_id)
    assert not follow.abstained and _docs(follow)[:1] == [EDUCATION]


def test_a_follow_ups_own_words_find_the_sentence_in_the_previous_document(api_client: TestClient) -> None:
    """After 养牛 and 养羊, the carried words find every clause on livestock; 啥时候报 alone, within the award
    notice, finds the application period."""
    first = _ask(api_client, "养牛有奖补不")
    second = _ask(api_client, "那养羊呢", first.conversation_id)
    when = _ask(api_client, "啥时候报", second.conversation_id)
    assert "3月1日至10月31日" in when.answer


def test_thanks_and_greetings_get_a_short_reply_and_the_conversation_keeps_its_topic(
    api_client: TestClient,
) -> None:
    hello = _ask(api_client, "你好")  # a first message: not "the policy library has nothing"
    assert not hello.abstained and not hello.citations and hello.answer == texts.SMALLTALK_HELLO
    first = _ask(api_client, "小额信贷怎么申请")
    ok = _ask(api_client, "好的，谢谢！", first.conversation_id)
    assert ok.answer == texts.SMALLTALK_THANKS and not ok.citations and not ok.abstained
    assert ok.conversation_id == first.conversation_id
    follow = _ask(api_client, "那要带什么材料", ok.conversation_id)  # still about the loan
    assert _docs(follow)[:1] == [CREDIT] and "身份证" in follow.answer


def test_a_follow_up_goes_on_about_the_measure_its_conversation_was_about(api_client: TestClient) -> None:
    """打哪个电话 names no measure; the conversation was about 防止返贫监测对象识别纳入, whose card gives the hotline."""
    first = _ask(api_client, "防返贫监测的收入线是多少")
    second = _ask(api_client, "认定要多久", first.conversation_id)
    assert "monitoring-identification" in [m.id for m in second.measures]
    phone = _ask(api_client, "打哪个电话", second.conversation_id)
    assert [m.id for m in phone.measures] == ["monitoring-identification"]
    assert "0550-7012300" in phone.answer


def test_what_about_x_is_asked_of_the_previous_question(api_client: TestClient) -> None:
    first = _ask(api_client, "房子鉴定成D级了 拆了重盖给多少钱")
    assert HOUSING in _docs(first)
    c_grade = _ask(api_client, "那C级的呢", first.conversation_id)
    assert _docs(c_grade)[0] == HOUSING
    assert any(m.id == "housing-renovation-c" for m in c_grade.measures)


def test_what_about_x_is_answered_from_the_passage_that_answered_the_previous_question(
    api_client: TestClient,
) -> None:
    """The premium-aid list answered 脱贫户…还有补贴不; 那监测户呢 and 低保户呢 are answered from the same list
    (返贫致贫人口 190元, 低保对象 266元), not from the article beside it that only names the groups."""
    first = _ask(api_client, "脱贫户交医保今年还有补贴不")
    assert "不再享受定额资助" in first.answer
    monitored = _ask(api_client, "那监测户呢", first.conversation_id)
    assert "每人190元" in monitored.answer
    dibao = _ask(api_client, "低保户呢", monitored.conversation_id)
    assert "每人266元" in dibao.answer


def test_a_follow_up_that_only_asks_whom_is_answered_about_the_conversations_topic(
    api_client: TestClient,
) -> None:
    """找谁办 after 高龄补贴 questions: the 高龄津贴 article's office, not the disability article beside it."""
    first = _ask(api_client, "八十多岁的老人有高龄补贴没")
    second = _ask(api_client, "九十岁的呢", first.conversation_id)
    who = _ask(api_client, "找谁办", second.conversation_id)
    assert "乡镇便民服务中心申请" in who.answer


def test_a_question_with_its_own_topic_resets_the_conversation(api_client: TestClient) -> None:
    first = _ask(api_client, "小额信贷怎么申请")
    other = _ask(api_client, "危房改造补多少", first.conversation_id)
    assert other.conversation_id == first.conversation_id
    assert _docs(other)[0] == HOUSING and CREDIT not in _docs(other)
    materials = _ask(api_client, "要带什么材料", other.conversation_id)  # now about 危房改造
    assert _docs(materials)[0] == HOUSING


def test_a_follow_up_without_context_gets_a_question_back(api_client: TestClient) -> None:
    r = api_client.post("/v1/ask", json={"question": "要带什么材料"})
    answer = AskOut.model_validate(r.json())
    assert not answer.abstained and not answer.citations and not answer.measures
    assert 2 <= len(answer.clarify) <= 3
    ids = [c.measure_id for c in answer.clarify]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(c.name in answer.answer for c in answer.clarify)  # the question back names them
    chosen = answer.clarify[0]
    assert chosen.question.startswith(chosen.name) and chosen.question.endswith("要带什么材料")
    picked = _ask(api_client, chosen.question, answer.conversation_id)  # what a clarify button sends
    assert picked.citations and chosen.measure_id in [m.id for m in picked.measures]
    # Or the user types only the measure's name: the pending follow-up is answered about it.
    named = _ask(api_client, "小额信贷", _ask(api_client, "要带什么材料").conversation_id)
    assert _docs(named)[0] == CREDIT and "身份证" in named.answer


def test_unknown_ids_start_a_new_conversation_and_malformed_ids_are_refused(api_client: TestClient) -> None:
    unknown = "0" * 32
    answer = _ask(api_client, "小额信贷怎么申请", unknown)
    assert answer.conversation_id != unknown and len(answer.conversation_id) == 32
    for bad in ["abc", "Z" * 32, "0" * 33, "../../etc", ""]:
        r = api_client.post("/v1/ask", json={"question": "要带什么材料", "conversation_id": bad})
        assert r.status_code == 422 and set(r.json()) == {"error", "detail"}, bad


def test_an_expired_conversation_is_a_new_one(api_client: TestClient, corpus_services: Any) -> None:
    first = _ask(api_client, "小额信贷怎么申请")
    with corpus_services.db.session() as session:  # idle past the TTL
        session.execute(
            update(Conversation)
            .where(Conversation.id == first.conversation_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    late = _ask(api_client, "要带什么材料", first.conversation_id)
    assert late.conversation_id != first.conversation_id
    assert late.clarify and not late.citations  # asked back, not answered from the old topic or at random


def test_questions_are_stored_masked_and_no_answer_is_kept(
    api_client: TestClient, corpus_services: Any
) -> None:
    first = _ask(api_client, "我身份证110101199003071234 电话13812345678 小额信贷怎么申请")
    state = corpus_services.conversations.store.load(first.conversation_id)
    text = repr(state)
    assert "110101199003071234" not in text and "13812345678" not in text
    assert "138****5678" in text
    assert first.answer not in text and set(state) >= {"questions", "doc_ids", "topic"}


def test_chat_completions_read_the_earlier_user_messages(api_client: TestClient) -> None:
    def chat(*messages: tuple[str, str]) -> dict[str, Any]:
        body = {"model": "bangfu", "messages": [{"role": r, "content": c} for r, c in messages]}
        r = api_client.post("/v1/chat/completions", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    follow = chat(
        ("system", "你是助手"),
        ("user", "小额信贷怎么申请"),
        ("assistant", "【脱贫人口小额信贷】……"),
        ("user", "要带什么材料"),
    )
    assert follow["citations"][0]["doc_id"] == CREDIT
    assert "身份证" in follow["choices"][0]["message"]["content"]
    reset = chat(("user", "小额信贷怎么申请"), ("user", "危房改造补多少"))
    assert reset["citations"][0]["doc_id"] == HOUSING
    alone = chat(("user", "要带什么材料"))
    assert alone["clarify"] and not alone["citations"]


# -- replicas ------------------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'shared.db'}"
        return
    with temporary_schema(request.getfixturevalue("pg_url")) as url:
        yield url


def test_two_replicas_share_a_conversation_through_one_database(
    corpus_data_dir: Path, corpus_services: Any, tmp_path: Path, shared_db_url: str
) -> None:
    from api.app import create_app
    from core.services import build_services

    clients = []
    services = []
    try:
        for name in ("a", "b"):  # each replica has its own data dir (its own Chroma store), one database
            data = tmp_path / name
            shutil.copytree(corpus_data_dir, data)
            settings = make_settings(data, reload_interval=3600.0, database_url=shared_db_url)
            s = build_services(settings, embedder=corpus_services.embedder)
            services.append(s)
            clients.append(TestClient(create_app(services=s)))
        first = _ask(clients[0], "小额信贷怎么申请")
        follow = _ask(clients[1], "要带什么材料", first.conversation_id)
        assert follow.conversation_id == first.conversation_id
        assert _docs(follow)[0] == CREDIT
        again = _ask(clients[0], "找谁办", follow.conversation_id)
        assert _docs(again)[0] == CREDIT
    finally:
        for c in clients:
            c.close()
        for s in services:
            s.close()
