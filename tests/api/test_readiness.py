"""/readyz is not ready while the live knowledge generation holds no documents, and says so."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from core.services import build_services
from ingest.pipeline import ingest_folder
from tests.conftest import make_settings


def test_readyz_is_not_ready_on_an_empty_generation(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    data = tmp_path / "data"
    settings = make_settings(data, reload_interval=0.0)
    report = ingest_folder(settings, folder, allow_removal=True)  # emptied on purpose
    assert report.changed and report.documents == 0
    services = build_services(settings)
    try:
        with TestClient(create_app(services=services)) as client:
            r = client.get("/readyz")
            assert r.status_code == 503
            body = r.json()
            assert body["status"] == "not ready" and body["generation"] == report.generation
            assert body["problems"] == [
                f"knowledge: generation {report.generation} holds no documents "
                "(ingest a policies folder: `python -m ingest PATH`)"
            ]

            (folder / "housing.txt").write_text(
                "关于危房改造补助的通知\n一、对D级危房的脱贫户，拆除重建每户补助15000元。\n", encoding="utf-8"
            )
            assert ingest_folder(settings, folder).documents == 1
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["documents"] == 1
    finally:
        services.close()
