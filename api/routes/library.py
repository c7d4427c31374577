"""The document library at the workbench: upload a document (admin), follow its ingest, mark a document
superseded or withdrawn (admin), see every document with its status, and test retrieval.

An upload is kept in the database and ingested in the background by `python -m ingest jobs` (one ingest at a
time across replicas; an upload during an ingest waits its turn): 202 with the job, then
`GET /v1/ingest/jobs/{id}` until it is done, failed (the file could not be read: nothing live changed) or refused.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Path, Request, UploadFile
from starlette.exceptions import HTTPException

from api.deps import ServicesDep, ViewDep
from api.ingest_worker import IngestWorkerLauncher
from api.routes.params import DocId
from api.schemas import ErrorOut
from api.schemas.answers import CitationOut
from api.schemas.workbench import (
    JobList,
    JobOut,
    LibraryDoc,
    LibraryOut,
    MarkOut,
    RetrievalPassage,
    RetrievalTestIn,
    RetrievalTestOut,
    StatusIn,
    TestAnswer,
)
from api.staff import AdminStaff, StaffUser
from core.answers.answer import DRY_RUN
from core.errors import InvalidInput
from core.records.db import utcnow
from core.records.library import UPLOADED_FOLDER, JobView

router = APIRouter(
    tags=["documents"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="the job id the upload returned")]


def _worker(request: Request) -> IngestWorkerLauncher:
    return request.app.state.ingest_worker


def _job(job: JobView) -> JobOut:
    return JobOut.model_validate(job, from_attributes=True)


@router.post(
    "/v1/documents",
    status_code=202,
    response_model=JobOut,
    responses={413: {"model": ErrorOut}},
    summary="Upload a policy document",
)
def upload(
    request: Request,
    staff: AdminStaff,
    services: ServicesDep,
    file: Annotated[
        UploadFile, File(description=".md .txt .docx .pdf .html, at most BANGFU_UPLOAD_MAX_BYTES")
    ],
) -> JobOut:
    """Keep the file and queue its ingest (admin); the job says when it is served and what happened."""
    limit = services.settings.upload_max_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(
            413, f"the file is over {limit // (1024 * 1024)} MB; split it or compress its images"
        )
    job = services.library.add_upload(file.filename or "", content, actor=staff.actor)
    _worker(request).start()
    return _job(job)


@router.get(
    "/v1/ingest/jobs/{job_id}",
    response_model=JobOut,
    responses={404: {"model": ErrorOut}},
    summary="An ingest job",
)
def get_job(job_id: JobId, request: Request, staff: StaffUser, services: ServicesDep) -> JobOut:
    """The job's state (queued, running, done, failed, refused), progress and summary."""
    job = services.library.job(job_id)
    if job.status == "queued" or job.stalled(utcnow()):
        # the worker it was queued for may have gone with its replica; a new one takes over (and fails a job the
        # dead one left running, so its page says so)
        _worker(request).start(unless_recent=True)
    out = _job(job)
    if job.status == "done":
        out.live = services.knowledge.current().generation == job.summary.get("generation")
    return out


@router.get("/v1/ingest/jobs", response_model=JobList, summary="Recent ingest jobs")
def list_jobs(staff: StaffUser, services: ServicesDep) -> JobList:
    """The newest ingest jobs first."""
    return JobList(jobs=[_job(j) for j in services.library.jobs(limit=20)])


@router.post(
    "/v1/documents/{doc_id}/status",
    status_code=202,
    response_model=JobOut,
    responses={404: {"model": ErrorOut}},
    summary="Mark a document superseded or withdrawn",
)
def set_status(
    doc_id: DocId, body: StatusIn, request: Request, staff: AdminStaff, services: ServicesDep, view: ViewDep
) -> JobOut:
    """Superseded (by another document), withdrawn, or back in force; applied by an ingest (the job)."""
    marks = services.library.statuses()
    if view.meta(doc_id) is None and doc_id not in marks:
        view.document(doc_id)  # 404: neither live nor marked
    if body.status == "superseded" and (not body.superseded_by or view.meta(body.superseded_by) is None):
        raise InvalidInput("superseded_by must name a document in the library")
    status = None if body.status == "in_force" else body.status
    job = services.library.set_status(doc_id, status, superseded_by=body.superseded_by, actor=staff.actor)
    _worker(request).start()
    return _job(job)


@router.get("/v1/library", response_model=LibraryOut, summary="The document library")
def library(staff: StaffUser, services: ServicesDep, view: ViewDep) -> LibraryOut:
    """Every document with 文号, validity, superseded-by and its mark; withdrawn ones too; recent jobs."""
    today = date.today()
    marks = services.library.statuses()
    docs = []
    for d in view.documents():
        m = d.meta
        mark = marks.get(m.doc_id)
        docs.append(
            LibraryDoc(
                doc_id=m.doc_id,
                title=m.title,
                doc_number=m.doc_number,
                issuer=m.issuer,
                source=m.source,
                issued=m.issued,
                effective_from=m.effective_from,
                effective_to=m.effective_to,
                superseded_by=m.superseded_by,
                in_force=m.in_force(today),
                uploaded=m.source.startswith(f"{UPLOADED_FOLDER}/"),
                live=True,
                mark=MarkOut.model_validate(mark, from_attributes=True) if mark else None,
            )
        )
    for doc_id, mark in sorted(marks.items()):
        if view.meta(doc_id) is None:  # withdrawn: no longer in the knowledge base
            docs.append(
                LibraryDoc(
                    doc_id=doc_id,
                    title=doc_id,
                    doc_number=None,
                    issuer=None,
                    source="",
                    issued=None,
                    effective_from=None,
                    effective_to=None,
                    superseded_by=None,
                    in_force=False,
                    uploaded=doc_id.startswith(f"{UPLOADED_FOLDER}_"),
                    live=False,
                    mark=MarkOut.model_validate(mark, from_attributes=True),
                )
            )
    return LibraryOut(
        documents=docs,
        jobs=[_job(j) for j in services.library.jobs(limit=10)],
        upload_max_bytes=services.settings.upload_max_bytes,
        generation=view.generation,
    )


@router.post("/v1/retrieval-test", response_model=RetrievalTestOut, summary="Test retrieval (检索测试)")
def retrieval_test(
    body: RetrievalTestIn, staff: StaffUser, services: ServicesDep, view: ViewDep
) -> RetrievalTestOut:
    """The ranked passages with their scores and the leg that found each, and the answer /v1/ask gives now, by
    the same code (the question is not logged as unanswered, and a curated answer's use is not counted)."""
    aq = services.retriever.analyze(view, body.question)
    hits = services.retriever.search(view, aq, k=body.k)
    answer = services.answers.ask(view, body.question, origin=DRY_RUN)
    today = date.today()
    return RetrievalTestOut(
        query=aq.normalized,
        expansions=aq.expansions,
        passages=[RetrievalPassage.of_hit(i, h, today) for i, h in enumerate(hits, 1)],
        answer=TestAnswer(
            answer=answer.answer,
            abstained=answer.abstained,
            source="curated" if answer.source == "curated" else "extractive",
            reason=answer.reason,
            citations=[CitationOut.model_validate(c.as_dict()) for c in answer.citations],
            curated_id=answer.curated_id,
        ),
    )
