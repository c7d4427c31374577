"""标准答案 and 文件库 over the real app and corpus, on SQLite and PostgreSQL: the editor refuses ungrounded answers,
a paraphrase gets the curated answer (a near-miss does not), uses are counted, an answer lapses when its document
is superseded; uploads (admin only, size and type checked) are ingested by the real job runner and served; the
retrieval test shows both legs and answers as /v1/ask does; households at the workbench are audited; audit export.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from core.records.audit import AuditRecord
from ingest.jobs import run_jobs
from tests.helpers.workbench import BAISHA, LIUWAN, County, county

DOC = "qinghe-education-aid-2023"
QUOTE = "每生每学期补助1500元"
CURATED = {
    "question": "雨露计划每学期补助多少钱",
    "phrasings": ["雨露计划一学期给多少"],
    "answer": "上中职、高职的，每生每学期补助1500元，春季和秋季学期各申请一次。",
    "citations": [{"doc_id": DOC, "quote": QUOTE}, {"doc_id": DOC, "quote": "春季学期和秋季学期各申请一次"}],
}
PARAPHRASE = "雨露计划一个学期能补多少"
NEAR_MISSES = ["雨露计划每年补助多少钱", "雨露计划怎么申请", "春蕾计划每学期补助多少钱"]


class Launcher:
    """Records that the API asked for the ingest worker; the test runs the real job runner itself."""

    def __init__(self) -> None:
        self.starts = 0

    def start(self, *, unless_recent: bool = False) -> None:
        self.starts += 1


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(
    request: pytest.FixtureRequest, corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[County]:
    pg = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    with county(corpus_data_dir, tmp_path_factory.mktemp("wb-answers"), request.param, pg) as c:
        c.app.state.ingest_worker = Launcher()
        yield c


def _ask(world: County, question: str) -> dict[str, object]:
    r = world.client.post("/v1/ask", headers={"X-API-Key": world.portal_key}, json={"question": question})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_the_editor_refuses_quotes_not_in_the_document_and_numbers_no_quote_holds(world: County) -> None:
    cadre = world.chat("cadre-baisha")
    not_verbatim = {**CURATED, "citations": [{"doc_id": DOC, "quote": "每生每学期补助1500块"}]}
    r = world.client.post("/v1/curated", headers=cadre, json=not_verbatim)
    assert r.status_code == 422 and "word for word" in r.json()["detail"]
    made_up = {**CURATED, "answer": "每生每学期补助2000元。"}
    r = world.client.post("/v1/curated", headers=cadre, json=made_up)
    assert r.status_code == 422 and "2000" in r.json()["detail"]
    assert (
        world.client.post(
            "/v1/curated", headers=cadre, json={**CURATED, "citations": [{"doc_id": "nope", "quote": QUOTE}]}
        ).status_code
        == 422
    )
    assert (
        world.client.post("/v1/curated", headers=cadre, json={**CURATED, "citations": []}).status_code == 422
    )
    assert world.client.get("/v1/curated", headers=world.admin).json()["curated"] == []


def test_a_paraphrase_gets_the_curated_answer_and_a_near_miss_does_not(world: County) -> None:
    before = _ask(world, PARAPHRASE)
    assert before["source"] == "extractive"
    created = world.client.post("/v1/curated", headers=world.chat("cadre-baisha"), json=CURATED)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["status"] == "active" and entry["uses"] == 0
    got = _ask(world, PARAPHRASE)
    assert got["source"] == "curated" and not got["abstained"]
    assert str(got["answer"]).startswith(CURATED["answer"]) and "[1][2]" in str(got["answer"])
    citations = got["citations"]
    assert isinstance(citations, list) and [c["text"] for c in citations] == [
        QUOTE,
        "春季学期和秋季学期各申请一次",
    ]
    text = world.client.get(f"/v1/documents/{DOC}", headers={"X-API-Key": world.portal_key}).json()["text"]
    assert all(c["text"] in text and c["doc_number"] and c["section"] for c in citations)
    for question in NEAR_MISSES:
        assert _ask(world, question)["source"] == "extractive", question
    assert world.client.get(f"/v1/curated/{entry['id']}", headers=world.admin).json()["uses"] == 1


def test_only_the_author_or_the_county_changes_a_curated_answer(world: County) -> None:
    entry = world.client.get("/v1/curated", headers=world.admin).json()["curated"][0]
    path = f"/v1/curated/{entry['id']}"
    changed = {**CURATED, "phrasings": ["雨露计划一学期给多少", "读职高一学期补多少钱"]}
    assert world.client.put(path, headers=world.chat("cadre-liuwan"), json=changed).status_code == 403
    assert world.client.delete(path, headers=world.chat("cadre-liuwan")).status_code == 403
    assert world.client.put(path, headers={"X-API-Key": world.portal_key}, json=changed).status_code == 403
    assert world.client.put(path, json=changed).status_code == 401
    r = world.client.put(path, headers=world.chat("cadre-baisha"), json=changed)
    assert r.status_code == 200 and r.json()["phrasings"] == changed["phrasings"]
    assert (
        world.client.put(
            path, headers=world.chat("cadre-county"), json={**changed, "answer": "1600元"}
        ).status_code
        == 422
    )
    assert world.client.get("/v1/curated/999999", headers=world.admin).status_code == 404


def test_the_retrieval_test_shows_each_leg_and_the_live_answer_without_recording(world: County) -> None:
    browser = world.sign_in("cadre-liuwan")
    uses = world.client.get("/v1/curated", headers=world.admin).json()["curated"][0]["uses"]
    r = browser.send("POST", "/v1/retrieval-test", json={"question": PARAPHRASE, "k": 5})
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(out["passages"]) == 5 and out["passages"][0]["rank"] == 1
    assert all(p["legs"] and (p["bm25"] is not None) == ("bm25" in p["legs"]) for p in out["passages"])
    assert any("dense" in p["legs"] for p in out["passages"])
    assert (
        out["answer"]["source"] == "curated" and out["answer"]["answer"] == _ask(world, PARAPHRASE)["answer"]
    )
    after = world.client.get("/v1/curated", headers=world.admin).json()["curated"][0]["uses"]
    assert after == uses + 1  # only the /v1/ask above counted
    before = world.client.get("/v1/unanswered", headers=world.admin).json()["questions"]
    off = browser.send("POST", "/v1/retrieval-test", json={"question": "明天县城赶集几点开始"}).json()
    assert off["answer"]["abstained"] and off["answer"]["reason"]
    assert world.client.get("/v1/unanswered", headers=world.admin).json()["questions"] == before


def _docx(title: str, body: list[str]) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for line in body:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


NEW_DOC = _docx(
    "青禾县2024年农村厕所改造奖补办法",
    [
        "文号：青农〔2024〕3号",
        "第一条 对完成卫生厕所改造并验收合格的农户，每户奖补800元。",
        "第二条 由村委会统一申报。",
    ],
)


def test_uploads_are_for_admins_checked_and_kept_safe(world: County) -> None:
    files = {
        "file": (
            "厕所改造.docx",
            NEW_DOC,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    }
    assert world.client.post("/v1/documents", files=files).status_code == 401
    assert (
        world.client.post("/v1/documents", headers={"X-API-Key": world.portal_key}, files=files).status_code
        == 403
    )
    cadre = world.sign_in("cadre-county")
    assert cadre.send("POST", "/v1/documents", files=files).status_code == 403
    admin = world.sign_in(None)
    assert admin.send("POST", "/v1/documents", csrf=False, files=files).status_code == 403
    bad = admin.send("POST", "/v1/documents", files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert bad.status_code == 422 and ".docx" in bad.json()["detail"]
    fake = admin.send(
        "POST", "/v1/documents", files={"file": ("假文件.docx", b"not a zip", "application/octet-stream")}
    )
    assert fake.status_code == 422 and "Word" in fake.json()["detail"]
    big = b"x" * (world.settings.upload_max_bytes + 10)
    assert (
        admin.send("POST", "/v1/documents", files={"file": ("big.txt", big, "text/plain")}).status_code == 413
    )
    assert world.app.state.ingest_worker.starts == 0  # nothing refused was queued


def test_an_uploaded_docx_is_ingested_by_the_job_runner_and_served(world: County) -> None:
    admin = world.sign_in(None)
    files = {"file": ("厕所改造.docx", NEW_DOC, "application/octet-stream")}
    r = admin.send("POST", "/v1/documents", files=files)
    assert r.status_code == 202, r.text
    job = r.json()
    assert (
        job["status"] == "queued"
        and job["doc_id"] == "uploaded_厕所改造"
        and world.app.state.ingest_worker.starts == 1
    )
    assert run_jobs(world.settings) == 1  # what `python -m ingest jobs` does
    done = admin.get(f"/v1/ingest/jobs/{job['id']}").json()
    assert done["status"] == "done", done
    assert "uploaded/厕所改造.docx" in done["summary"]["added"] and done["summary"]["documents"] == 17
    served = world.client.get(f"/v1/documents/{job['doc_id']}", headers={"X-API-Key": world.portal_key})
    assert served.status_code == 200 and "每户奖补800元" in served.json()["text"]
    assert served.json()["source"] == "uploaded/厕所改造.docx"
    library = admin.get("/v1/library").json()
    assert any(d["doc_id"] == job["doc_id"] and d["uploaded"] for d in library["documents"])
    # the file lives in the database: a replica with an empty documents folder ingests the same library
    for f in (world.settings.data_dir / "documents").iterdir():
        f.unlink()
    assert world.services.library.uploads()["厕所改造.docx"] == NEW_DOC
    assert admin.get("/v1/ingest/jobs/" + "0" * 32).status_code == 404
    assert admin.get("/v1/ingest/jobs/bad").status_code == 422


def test_a_file_that_cannot_be_read_fails_its_job_and_changes_nothing_live(world: County) -> None:
    admin = world.sign_in(None)
    broken = NEW_DOC[:200]  # a truncated zip: looks like a .docx, cannot be read
    r = admin.send(
        "POST", "/v1/documents", files={"file": ("坏文件.docx", broken, "application/octet-stream")}
    )
    assert r.status_code == 202
    live = world.services.knowledge.current().generation
    run_jobs(world.settings)
    failed = admin.get(f"/v1/ingest/jobs/{r.json()['id']}").json()
    assert failed["status"] == "failed" and failed["detail"].startswith("坏文件.docx")
    assert "坏文件.docx" not in world.services.library.uploads()  # not retried by every later ingest
    view = world.services.knowledge.current()
    assert view.meta("uploaded_厕所改造") is not None and view.meta(DOC) is not None
    assert view.generation != live or failed["summary"]["changed"] is False


def test_a_superseded_document_lapses_its_curated_answers(world: County) -> None:
    assert _ask(world, PARAPHRASE)["source"] == "curated"
    cadre = world.sign_in("cadre-county")
    body = {"status": "superseded", "superseded_by": "uploaded_厕所改造"}
    assert cadre.send("POST", f"/v1/documents/{DOC}/status", json=body).status_code == 403
    admin = world.sign_in(None)
    assert admin.send("POST", f"/v1/documents/{DOC}/status", json={"status": "superseded"}).status_code == 422
    assert admin.send("POST", "/v1/documents/nope/status", json={"status": "withdrawn"}).status_code == 404
    job = admin.send("POST", f"/v1/documents/{DOC}/status", json=body)
    assert job.status_code == 202
    run_jobs(world.settings)
    assert admin.get(f"/v1/ingest/jobs/{job.json()['id']}").json()["status"] == "done"
    entry = world.client.get("/v1/curated", headers=world.admin).json()["curated"][0]
    assert entry["status"] == "lapsed" and entry["lapsed_reason"] == "superseded"
    assert _ask(world, PARAPHRASE)["source"] == "extractive"
    doc = next(d for d in admin.get("/v1/library").json()["documents"] if d["doc_id"] == DOC)
    assert doc["superseded_by"] == "uploaded_厕所改造" and doc["mark"]["status"] == "superseded"
    # withdrawn: gone from the knowledge base, still listed so it can be brought back
    job = admin.send("POST", "/v1/documents/uploaded_厕所改造/status", json={"status": "withdrawn"})
    run_jobs(world.settings)
    assert admin.get(f"/v1/ingest/jobs/{job.json()['id']}").json()["status"] == "done"
    gone = world.client.get("/v1/documents/uploaded_厕所改造", headers={"X-API-Key": world.portal_key})
    assert gone.status_code == 404
    listed = next(
        d for d in admin.get("/v1/library").json()["documents"] if d["doc_id"] == "uploaded_厕所改造"
    )
    assert listed["live"] is False and listed["mark"]["status"] == "withdrawn"


def test_households_at_the_workbench_are_the_cadres_own_and_audited(world: County) -> None:
    cadre = world.sign_in("cadre-baisha")
    page = cadre.get("/v1/households?page_size=100").json()
    assert page["total"] > 0 and {h["village"] for h in page["items"]} == {"白沙村"}
    assert cadre.get(f"/v1/households/{LIUWAN.household_no}").status_code == 404
    assert cadre.get(f"/v1/households/{BAISHA.household_no}").status_code == 200
    with world.services.db.read_session() as session:
        rows = session.execute(
            select(AuditRecord.channel, AuditRecord.actor).where(
                AuditRecord.household_no == BAISHA.household_no
            )
        ).all()
    assert ("workbench", rows[-1][1]) == rows[-1] and rows[-1][1].startswith("cadre:")
    assert world.sign_in(None).get("/v1/households").status_code == 403  # admins read no household records


def test_the_audit_export_is_for_the_county(world: County) -> None:
    assert world.sign_in("cadre-baisha").get("/v1/audit").status_code == 403
    assert world.client.get("/v1/audit", headers=world.chat("cadre-liuwan")).status_code == 403
    county = world.sign_in("cadre-county").get("/v1/audit?since=2000-01-01")
    assert county.status_code == 200 and county.headers["content-type"].startswith("text/csv")
    lines = county.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,at,role,actor") and any(BAISHA.household_no in line for line in lines)
    assert world.client.get("/v1/audit?since=someday", headers=world.admin).status_code == 422
    with world.services.db.read_session() as session:
        assert "audit_export" in set(session.scalars(select(AuditRecord.action)))
