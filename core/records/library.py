"""The document library's records: uploaded source files, documents marked superseded or withdrawn, ingest jobs.

Uploaded files are kept in the database itself (the only store every API replica and the ingest worker share);
before each ingest the worker writes the live ones into the data dir's `documents/` folder, which the ingest
reads beside the configured policies folder. A status (superseded by another document, or withdrawn) is applied
by the next ingest. Jobs run one at a time in `ingest/jobs.py`; a job waits `queued` until the worker takes it::

    library = LibraryRecords(db)
    upload, job = library.add_upload("新文件.docx", data, actor=actor)   # job.status == "queued"
    library.job(job.id).status                                           # queued → running → done | failed
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.errors import InvalidInput, NotFound
from core.records import audit
from core.records.audit import Actor
from core.records.db import Base, Database, UTCDateTime, rowcount, utcnow

UPLOAD_SUFFIXES = (".md", ".txt", ".docx", ".pdf", ".html", ".htm")
UPLOADED_FOLDER = "uploaded"  # the folder name uploaded documents appear under (their `source` and doc_id)
JOB_STATES = ("queued", "running", "done", "failed", "refused")
STATUSES = ("superseded", "withdrawn")
MAX_NAME = 100
STALLED_AFTER = timedelta(
    minutes=10
)  # no progress for this long: the worker is gone (the model load is minutes)
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|#%]+")


class UploadedDocument(Base):
    """A source file uploaded at the workbench; a newer upload of the same name replaces it."""

    __tablename__ = "document_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by: Mapped[str] = mapped_column(String(120))
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DocumentStatusRow(Base):
    """A document marked superseded (by another document) or withdrawn; applied by the next ingest."""

    __tablename__ = "document_status"

    doc_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    superseded_by: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(120))


class IngestJob(Base):
    """One ingest run asked for at the workbench: its state, progress and summary."""

    __tablename__ = "ingest_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stage: Mapped[str] = mapped_column(String(30), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(String(2000))
    requested_by: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str | None] = mapped_column(String(200))
    doc_id: Mapped[str | None] = mapped_column(String(200))


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    stage: str
    done: int
    total: int
    summary: dict[str, Any] = field(default_factory=dict)
    detail: str | None = None
    filename: str | None = None
    doc_id: str | None = None
    queue_position: int = 0  # jobs ahead of a queued one
    heartbeat_at: datetime | None = None  # the worker's last sign of life while running

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "refused")

    def stalled(self, now: datetime, after: timedelta = STALLED_AFTER) -> bool:
        """Running without a sign of life for `after`: its worker has most likely died."""
        return self.status == "running" and (self.heartbeat_at is None or now - self.heartbeat_at > after)


@dataclass(frozen=True)
class DocumentStatus:
    doc_id: str
    status: str
    superseded_by: str | None
    changed_at: datetime
    changed_by: str


def safe_filename(name: str) -> str:
    """The upload's file name without folders or characters a path or URL would misread; InvalidInput if bad."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip()
    base = _UNSAFE.sub("_", base).strip(". ")
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InvalidInput(f"only {' '.join(UPLOAD_SUFFIXES)} files can be uploaded")
    stem = base[: -len(suffix)]
    if not stem:
        raise InvalidInput("the file needs a name")
    return stem[: MAX_NAME - len(suffix)] + suffix


def check_content(filename: str, content: bytes) -> None:
    """A quick look before a file is kept: InvalidInput for what cannot be the kind of file its name says.

    The ingest reads the file fully and reports anything else as the job's failure."""
    suffix = PurePosixPath(filename).suffix.lower()
    if not content:
        raise InvalidInput("the file is empty")
    if suffix == ".docx" and not content.startswith(b"PK\x03\x04"):
        raise InvalidInput("this is not a Word .docx file (an old .doc must be saved as .docx first)")
    if suffix == ".pdf" and not content.lstrip()[:5] == b"%PDF-":
        raise InvalidInput("this is not a PDF file")
    if suffix in (".md", ".txt", ".html", ".htm") and b"\x00" in content[:65536]:
        raise InvalidInput("this is not a text file (it holds binary data); upload .docx or .pdf as such")


def uploaded_doc_id(filename: str) -> str:
    """The doc_id an uploaded file gets (as ingest.corpus.doc_id_for names `uploaded/<file>`)."""
    stem = filename.rsplit(".", 1)[0]
    return re.sub(r"[\s/\\?#%]+", "_", f"{UPLOADED_FOLDER}/{stem}").strip("_") or "doc"


def _view(job: IngestJob, ahead: int = 0) -> JobView:
    return JobView(
        id=job.id,
        kind=job.kind,
        status=job.status,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        stage=job.stage,
        done=job.done,
        total=job.total,
        summary=dict(job.summary or {}),
        detail=job.detail,
        filename=job.filename,
        doc_id=job.doc_id,
        queue_position=ahead,
        heartbeat_at=job.heartbeat_at,
    )


class LibraryRecords:
    """Uploads, document statuses and ingest jobs in the records database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- uploads and statuses ----------------------------------------------------------------------------------
    def add_upload(self, filename: str, content: bytes, *, actor: Actor) -> JobView:
        """Keep an uploaded file (replacing an earlier one of the same name) and queue its ingest."""
        import hashlib

        name = safe_filename(filename)
        check_content(name, content)
        now = utcnow()
        with self._db.session() as session:
            session.execute(
                update(UploadedDocument)
                .where(UploadedDocument.filename == name, UploadedDocument.replaced_at.is_(None))
                .values(replaced_at=now)
            )
            session.add(
                UploadedDocument(
                    filename=name,
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                    uploaded_at=now,
                    uploaded_by=actor.who,
                )
            )
            job = self._queue(session, "upload", actor, filename=name, doc_id=uploaded_doc_id(name))
            audit.record(session, actor=actor, action="document_upload", detail=f"job={job.id}")
            return _view(job)

    def reject_upload(self, filename: str) -> None:
        """An upload the ingest could not read: drop it, and bring back the upload it replaced (if any)."""
        with self._db.session() as session:
            bad = session.scalar(
                select(UploadedDocument).where(
                    UploadedDocument.filename == filename, UploadedDocument.replaced_at.is_(None)
                )
            )
            if bad is None:
                return
            bad.replaced_at = utcnow()
            earlier = session.scalar(
                select(UploadedDocument)
                .where(UploadedDocument.filename == filename, UploadedDocument.replaced_at == bad.uploaded_at)
                .order_by(UploadedDocument.id.desc())
                .limit(1)
            )
            if earlier is not None:
                earlier.replaced_at = None

    def uploads(self) -> dict[str, bytes]:
        """The live uploaded files by name (what the ingest writes into the documents folder)."""
        with self._db.read_session() as session:
            rows = session.execute(
                select(UploadedDocument.filename, UploadedDocument.content).where(
                    UploadedDocument.replaced_at.is_(None)
                )
            )
            return {name: bytes(content) for name, content in rows}

    def set_status(
        self, doc_id: str, status: str | None, *, superseded_by: str | None = None, actor: Actor
    ) -> JobView:
        """Mark a document superseded or withdrawn (None: in force again), and queue the ingest that applies it."""
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status is one of {', '.join(STATUSES)}")
        if status == "superseded" and not superseded_by:
            raise InvalidInput("a superseded document names the document that replaces it")
        if superseded_by == doc_id:
            raise InvalidInput("a document cannot replace itself")
        with self._db.session() as session:
            row = session.get(DocumentStatusRow, doc_id, with_for_update=True)
            if status is None:
                if row is not None:
                    session.delete(row)
            else:
                if row is None:
                    row = DocumentStatusRow(doc_id=doc_id)
                    session.add(row)
                row.status = status
                row.superseded_by = superseded_by if status == "superseded" else None
                row.changed_at, row.changed_by = utcnow(), actor.who
            job = self._queue(session, "status", actor, doc_id=doc_id)
            audit.record(
                session, actor=actor, action="document_status", detail=f"{status or 'in_force'} job={job.id}"
            )
            return _view(job)

    def statuses(self) -> dict[str, DocumentStatus]:
        with self._db.read_session() as session:
            return {
                r.doc_id: DocumentStatus(r.doc_id, r.status, r.superseded_by, r.changed_at, r.changed_by)
                for r in session.scalars(select(DocumentStatusRow))
            }

    # -- jobs ------------------------------------------------------------------------------------------------
    @staticmethod
    def _queue(
        session: Any, kind: str, actor: Actor, *, filename: str | None = None, doc_id: str | None = None
    ) -> IngestJob:
        job = IngestJob(
            id=uuid.uuid4().hex,
            kind=kind,
            status="queued",
            created_at=utcnow(),
            stage="",
            done=0,
            total=0,
            requested_by=actor.who,
            filename=filename,
            doc_id=doc_id,
        )
        session.add(job)
        session.flush()
        return job

    def queue(self, kind: str, *, actor: Actor) -> JobView:
        """Queue a plain re-ingest (e.g. after the policies folder changed on the server)."""
        with self._db.session() as session:
            return _view(self._queue(session, kind, actor))

    def job(self, job_id: str) -> JobView:
        with self._db.read_session() as session:
            job = session.get(IngestJob, job_id)
            if job is None:
                raise NotFound("no such ingest job")
            ahead = 0
            if job.status == "queued":
                ahead = (
                    session.scalar(
                        select(func.count())
                        .select_from(IngestJob)
                        .where(
                            IngestJob.status.in_(("queued", "running")), IngestJob.created_at < job.created_at
                        )
                    )
                    or 0
                )
            return _view(job, ahead)

    def jobs(self, *, limit: int = 20) -> list[JobView]:
        with self._db.read_session() as session:
            query = select(IngestJob).order_by(IngestJob.created_at.desc()).limit(limit)
            return [_view(j) for j in session.scalars(query)]

    def pending(self) -> int:
        """Jobs waiting to run."""
        with self._db.read_session() as session:
            return (
                session.scalar(
                    select(func.count()).select_from(IngestJob).where(IngestJob.status == "queued")
                )
                or 0
            )

    def claim_all(self) -> list[JobView]:
        """Take every queued job (the worker holds the ingest lock): one ingest applies them all."""
        now = utcnow()
        with self._db.session() as session:
            jobs = list(
                session.scalars(
                    select(IngestJob)
                    .where(IngestJob.status == "queued")
                    .order_by(IngestJob.created_at)
                    .with_for_update()
                )
            )
            for job in jobs:
                job.status, job.started_at, job.heartbeat_at, job.stage = "running", now, now, "scan"
            return [_view(j) for j in jobs]

    def abandon_running(self, detail: str) -> int:
        """Jobs left `running` by a worker that died (called by the next worker, which holds the lock)."""
        with self._db.session() as session:
            return rowcount(
                session.execute(
                    update(IngestJob)
                    .where(IngestJob.status == "running")
                    .values(status="failed", finished_at=utcnow(), detail=detail)
                )
            )

    def progress(self, job_ids: list[str], stage: str, done: int, total: int) -> None:
        with self._db.session() as session:
            session.execute(
                update(IngestJob)
                .where(IngestJob.id.in_(job_ids))
                .values(stage=stage[:30], done=done, total=total, heartbeat_at=utcnow())
            )

    def finish(self, job_id: str, status: str, *, summary: dict[str, Any], detail: str | None = None) -> None:
        if status not in JOB_STATES:
            raise InvalidInput(f"unknown job status {status!r}")
        with self._db.session() as session:
            session.execute(
                update(IngestJob)
                .where(IngestJob.id == job_id)
                .values(
                    status=status,
                    finished_at=utcnow(),
                    stage="done",
                    summary=summary,
                    detail=(detail or None) and detail[:2000],
                )
            )
