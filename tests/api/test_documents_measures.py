"""Documents and measures endpoints over the real ingested corpus."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import DocumentDetail, DocumentList, MeasureDetail, MeasureList
from core.knowledge.models import DocumentMeta
from tests.conftest import POLICIES, make_settings


def test_list_documents(api_client: TestClient) -> None:
    r = api_client.get("/v1/documents")
    assert r.status_code == 200
    body = DocumentList.model_validate(r.json())
    ids = {d.doc_id for d in body.documents}
    assert ids == {p.stem for p in (POLICIES / "docs").glob("*.md")}
    old = next(d for d in body.documents if d.doc_id == "qinghe-monitoring-2021")
    assert old.in_force is False and old.superseded_by == "qinghe-monitoring-2023"
    assert all(d.source == f"docs/{d.doc_id}.md" for d in body.documents)
    assert all(d.doc_number for d in body.documents)


def test_get_document_full_text(api_client: TestClient) -> None:
    r = api_client.get("/v1/documents/qinghe-microcredit-2023")
    assert r.status_code == 200
    doc = DocumentDetail.model_validate(r.json())
    source = (POLICIES / "docs" / "qinghe-microcredit-2023.md").read_text(encoding="utf-8")
    assert doc.text and doc.text in source  # the body, verbatim
    assert "---" not in doc.text.splitlines()[0]
    assert doc.doc_number and doc.doc_number in source


def test_the_document_schema_is_documentmeta_with_in_force_and_text(api_client: TestClient) -> None:
    detail = api_client.get("/openapi.json").json()["components"]["schemas"]["DocumentDetail"]
    meta_fields = {f.name for f in dataclasses.fields(DocumentMeta)}
    assert set(detail["properties"]) == meta_fields | {"in_force", "text"}
    assert set(detail["required"]) == {"doc_id", "title", "source", "in_force", "text"}
    assert detail["properties"]["doc_number"]["description"].startswith("文号")
    assert detail["properties"]["effective_to"]["anyOf"] == [
        {"type": "string", "format": "date"},
        {"type": "null"},
    ]
    body = api_client.get("/v1/documents/qinghe-monitoring-2021").json()
    assert set(body) == set(detail["properties"])
    assert body["superseded_by"] == "qinghe-monitoring-2023" and body["in_force"] is False


def test_unknown_document_is_a_plain_404(api_client: TestClient) -> None:
    r = api_client.get("/v1/documents/no-such-doc")
    assert r.status_code == 404
    assert r.json() == {"error": "NotFound", "detail": "no document with id 'no-such-doc'"}


def test_measures(api_client: TestClient) -> None:
    r = api_client.get("/v1/measures")
    assert r.status_code == 200
    measures = MeasureList.model_validate(r.json()).measures
    assert len(measures) >= 24
    assert len({m.id for m in measures}) == len(measures)
    r = api_client.get("/v1/measures/microcredit")
    assert r.status_code == 200
    m = MeasureDetail.model_validate(r.json())
    assert m.name and m.eligibility and m.how_to_apply and m.materials and m.basis
    assert m.basis[0].doc_id == "qinghe-microcredit-2023"
    housing = api_client.get("/v1/measures", params={"category": "住房安全"}).json()["measures"]
    assert housing and all(x["category"] == "住房安全" for x in housing)
    assert api_client.get("/v1/measures/nope").json()["error"] == "NotFound"


def test_empty_data_dir_is_503_not_500(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path)), raise_server_exceptions=False) as client:
        r = client.get("/v1/documents")
        assert r.status_code == 503
        assert r.json()["error"] == "ServiceUnavailable"
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").json() == {"status": "ok"}


def test_openapi_lists_the_contract(api_client: TestClient) -> None:
    spec = api_client.get("/openapi.json").json()
    for path in (
        "/v1/documents",
        "/v1/documents/{doc_id}",
        "/v1/measures",
        "/v1/measures/{measure_id}",
        "/v1/ask",
        "/v1/eligibility",
        "/v1/search",
    ):
        assert path in spec["paths"], path
