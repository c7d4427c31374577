"""A county's page pasted as one line (title, a gap of spaces, the body) is cited by its title, and its answer
leads with the sentence that states the fact, not with the headline and dateline run into the first sentence."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from core.services import build_services
from ingest.pipeline import ingest_folder
from tests.conftest import make_settings

PASTED = (
    "清河县启动春耕农机购置补贴发放  清河日报讯 近日，县农业农村局启动2024年春耕农机购置补贴发放工作。"
    "补贴对象为本县购买农机具的农户和农民合作社。每台农机最高补贴3000元，由乡镇便民服务中心受理申请。"
    "申请时需提供身份证、购机发票和农机合格证。补贴资金在审核通过后30个工作日内直接发放到农户一卡通。"
)
NOTICE = (
    "关于危房改造补助的通知\n一、对D级危房的脱贫户，拆除重建每户补助15000元。\n二、申请由农户向村委会提出。\n"
)


def test_a_pasted_page_is_cited_by_its_title_and_answered_by_its_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "7f3a9c0e5b21d4a8.txt").write_text(PASTED, encoding="utf-8")  # a crawler's file name
    (folder / "housing.txt").write_text(NOTICE, encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    ingest_folder(settings, folder)
    services = build_services(settings)
    try:
        with TestClient(create_app(services=services)) as client:
            body = client.post("/v1/ask", json={"question": "春耕买农机每台最高补贴多少钱"}).json()
    finally:
        services.close()
    assert not body["abstained"]
    assert body["citations"][0]["title"] == "清河县启动春耕农机购置补贴发放"
    first = body["answer"].split("\n")[0]
    assert "3000元" in first
    assert "清河日报讯" not in body["answer"]
