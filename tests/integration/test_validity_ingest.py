"""Documents without front matter tell their own status: ingest, the documents API, answers and --explain."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import DocumentDetail
from benchmarks.bench_validity import main as bench_validity
from core.services import build_services
from ingest.__main__ import main as ingest_main
from ingest.pipeline import ingest_folder
from tests.conftest import make_settings

OLD_RULE = """某县最低生活保障审核审批办法（试行）

第一章 总则
第一条 为规范低保审核审批工作，制定本办法。
第二条 县民政局负责低保审核审批，乡镇人民政府负责受理和调查。
第二章 动态管理
第二十条 对短期内家庭经济状况相对稳定的低保家庭，可每年复核一次。对收入来源不固定、有劳动能力的低保家庭，原则上农村按季复核。
第二十一条 低保金按月发放，每月10日前发放到户。
第三章 附则
第三十九条 本办法自公布之日起施行。
"""

NEW_RULE = """某县最低生活保障审核确认办法

第一章 总则
第一条 为规范最低生活保障审核确认工作，制定本办法。
第二条 县民政局负责最低生活保障的审核确认，乡镇人民政府负责受理和初审。
第二章 管理和监督
第二十条 乡镇人民政府应当对最低生活保障家庭的经济状况定期核查。对短期内经济状况变化不大的最低生活保障家庭，每年核查一次；对收入来源不固定、家庭成员有劳动能力的最低生活保障家庭，每半年核查一次。
第二十一条 最低生活保障金按月支付到最低生活保障家庭的账户。
第三章 附则
第三十条 本办法自2021年7月1日起施行，2012年12月12日某县民政局印发的《某县最低生活保障审核审批办法（试行）》（某民发〔2012〕220号）同时废止。
"""

REGULATION = """某省乡村振兴促进条例

2022年6月1日 某省第十三届人民代表大会常务委员会第四十三次会议通过

第一条 为了全面实施乡村振兴战略，制定本条例。
第二条 县级以上人民政府应当将乡村振兴促进工作纳入国民经济和社会发展规划。
第六十条 本条例自2022年9月1日起施行，《某省农村扶贫开发条例》同时废止。
"""

CAMPAIGN = """某县关于支持春耕生产的通知
某农发[2020]6号

各乡镇人民政府：
一、对购买良种的脱贫户每亩补贴50元。
二、本通知自2020年2月1日起施行，有效期2年。

某县农业农村局
2020年1月20日
"""

FRONT_MATTER = """---
title: 某县临时救助实施办法
doc_number: 某民发〔2023〕9号
issuer: 某县民政局
---
某县临时救助实施办法
某民发〔2023〕8号
第一条 对遭遇突发困难的家庭给予临时救助。
"""

RECHECK_QUESTIONS = ["有劳动能力的低保家庭多久复核一次", "家里有劳力的低保户隔多久核查一回"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("validity-docs")
    files = {
        "old-rule.txt": OLD_RULE,
        "new-rule.txt": NEW_RULE,
        "regulation.txt": REGULATION,
        "campaign.txt": CAMPAIGN,
        "relief.md": FRONT_MATTER,
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def ingested(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data = tmp_path_factory.mktemp("validity-data")
    report = ingest_folder(make_settings(data), folder)
    assert report.ok, report.summary()
    return data, report.summary()


@pytest.fixture(scope="module")
def client(ingested: tuple[Path, str]) -> Iterator[TestClient]:
    services = build_services(make_settings(ingested[0], reload_interval=3600.0))
    with TestClient(create_app(services=services), raise_server_exceptions=False) as c:
        yield c
    services.close()


def _doc(client: TestClient, doc_id: str) -> dict[str, Any]:
    r = client.get(f"/v1/documents/{doc_id}")
    assert r.status_code == 200
    DocumentDetail.model_validate(r.json())
    body: dict[str, Any] = r.json()
    return body


def test_repealed_rule_is_not_in_force_and_names_its_successor(client: TestClient) -> None:
    old, new = _doc(client, "old-rule"), _doc(client, "new-rule")
    assert old["in_force"] is False and old["superseded_by"] == "new-rule"
    assert new["in_force"] is True and new["supersedes"] == "old-rule"
    # what the repeal clause says of the old rule, which its own text never states
    assert (old["doc_number"], old["issuer"], old["issued"]) == (
        "某民发〔2012〕220号",
        "某县民政局",
        "2012-12-12",
    )
    assert old["trial"] is True and new["trial"] is False
    assert new["effective_from"] == "2021-07-01"


def test_a_repeal_clause_naming_a_document_not_in_the_corpus_links_nothing(client: TestClient) -> None:
    documents = client.get("/v1/documents").json()["documents"]
    linked = {d["doc_id"] for d in documents if d["supersedes"] or d["superseded_by"]}
    assert linked == {"old-rule", "new-rule"}
    regulation = _doc(client, "regulation")
    assert regulation["in_force"] is True
    assert (regulation["issuer"], regulation["issued"]) == ("某省人民代表大会常务委员会", "2022-06-01")


def test_validity_period_and_closing_lines(client: TestClient) -> None:
    campaign = _doc(client, "campaign")
    assert (campaign["doc_number"], campaign["issuer"]) == ("某农发[2020]6号", "某县农业农村局")
    assert (campaign["issued"], campaign["effective_from"]) == ("2020-01-20", "2020-02-01")
    assert campaign["effective_to"] == "2022-01-31" and campaign["in_force"] is (
        date.today() <= date(2022, 1, 31)
    )


def test_front_matter_wins_and_the_summary_names_the_conflict(
    client: TestClient, ingested: tuple[Path, str]
) -> None:
    assert _doc(client, "relief")["doc_number"] == "某民发〔2023〕9号"
    summary = ingested[1]
    assert (
        "CONFLICT relief: doc_number: front matter says 某民发〔2023〕9号, the text says 某民发〔2023〕8号"
        in summary
    )
    assert "read from the texts:" in summary
    assert "new-rule: " in summary and "supersedes old-rule" in summary
    assert "《某省农村扶贫开发条例》 not in the corpus" in summary


@pytest.mark.parametrize("question", RECHECK_QUESTIONS)
def test_answers_come_from_the_successor_and_say_the_old_rule_was_replaced(
    client: TestClient, question: str
) -> None:
    body = client.post("/v1/ask", json={"question": question}).json()
    assert not body["abstained"]
    answer, cited = body["answer"], [c["doc_id"] for c in body["citations"]]
    assert "每半年核查一次" in answer and "按季复核" not in answer
    assert cited[0] == "new-rule" and "old-rule" in cited  # cited so the note can name it
    old_n = cited.index("old-rule") + 1
    assert f"注意：[{old_n}]《某县最低生活保障审核审批办法（试行）》已被新文件[1]" in answer


def test_the_repealed_rule_stays_searchable(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "某县最低生活保障审核审批办法（试行）还有效吗"}).json()
    assert "同时废止" in body["answer"] and body["citations"][0]["doc_id"] == "new-rule"
    assert any(c["doc_id"] == "old-rule" for c in body["citations"])


def test_explain_shows_each_field_with_its_line(
    folder: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "untouched"))
    assert ingest_main(["--explain", "old-rule", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "superseded_by   new-rule" in out
    assert "← new-rule line 10 (by title): 第三十条 本办法自2021年7月1日起施行" in out
    assert "doc_number      某民发〔2012〕220号" in out and "trial           yes" in out
    assert "← line 1: 某县最低生活保障审核审批办法（试行）" in out
    assert "in force today  no (superseded)" in out
    assert not (tmp_path / "untouched").exists()  # explaining writes nothing

    assert ingest_main(["--explain", str(folder / "relief.md")]) == 0
    out = capsys.readouterr().out
    assert "← front matter; the text says 某民发〔2023〕8号: line 2: 某民发〔2023〕8号" in out
    assert "conflicts (front matter wins):" in out

    assert ingest_main(["--explain", "no-such-doc", str(folder)]) == 2
    assert "no-such-doc is not a readable document" in capsys.readouterr().err


def test_the_validity_benchmark_checks_links_against_the_manifest(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "docs"
    shutil.copytree(folder, copy)
    head = "filename\ttitle\tissuing_body\tdoc_number\tdate\tnotes\n"
    rows = [
        "old-rule.txt\t旧办法\t某县民政局\t某民发〔2012〕220号\t2012-12-12\tSUPERSEDED by 某民发〔2021〕5号\n",
        "new-rule.txt\t新办法\t某县民政局\t某民发〔2021〕5号\t2021-06\t\n",
    ]
    (copy / "MANIFEST.tsv").write_text(head + "".join(rows), encoding="utf-8")
    assert bench_validity([str(copy)]) == 0
    out = capsys.readouterr().out
    assert "links against MANIFEST.tsv: expected 1, found 1, correct 1, false 0, missed 0" in out
    assert "regulation line 7 同时废止 《某省农村扶贫开发条例》 → nothing (not in the corpus)" in out
    assert "superseded by new-rule" in out

    # a manifest expecting a link the texts do not make fails the benchmark
    (copy / "MANIFEST.tsv").write_text(
        head + rows[1] + "campaign.txt\t通知\t\t\t2020\tSUPERSEDED by 某民发〔2021〕5号\n", encoding="utf-8"
    )
    assert bench_validity([str(copy)]) == 1
    assert "MISSED campaign → new-rule" in capsys.readouterr().out
