"""Ingest jobs from the workbench, and the library (uploads, marks) every ingest reads beside the policies folder.

`python -m ingest jobs` runs the queued jobs (core/records/library.py) and exits when none is left; the API
starts it after an upload or a mark, and an operator may run it by hand. One ingest runs at a time across all
API replicas and hosts: the worker holds a lock for as long as it runs — a PostgreSQL advisory lock on a
connection of its own (released by the server if the process dies), or, on SQLite (one host by nature), a file
lock in the data dir. A worker that finds the lock taken exits at once: the running one takes every job queued
before it lets go, and looks once more after letting go, so no job waits forever. Jobs queued while an ingest
runs wait their turn and are ingested together by the next run.

Uploaded files are kept in the database; before each run they are written into the data dir's `documents/`
folder (files no longer uploaded are removed from it), and the ingest reads that folder beside the configured
policies folder. `python -m ingest` does the same, so a command-line ingest never drops an uploaded document.

Example::

    run_jobs(settings)           # 0 when every job it took ended (done, failed or refused)
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text

from core.errors import BangfuError
from core.records.db import Database
from core.records.library import JobView, LibraryRecords
from core.settings import Settings
from ingest.pipeline import PublishRefused, ingest_folder
from ingest.report import IngestReport
from ingest.statuses import DocumentStatus

logger = logging.getLogger(__name__)

DOCUMENTS_FOLDER = "documents"
_LOCK_KEY = 0x62666A62  # "bfjb": the ingest worker's advisory lock on PostgreSQL


def documents_dir(settings: Settings) -> Path:
    """The data dir's folder of uploaded documents, written from the database before each ingest."""
    return settings.data_dir / DOCUMENTS_FOLDER


def write_uploads(library: LibraryRecords, folder: Path) -> int:
    """Make `folder` hold exactly the uploaded files (atomic writes); returns how many there are."""
    uploads = library.uploads()
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in uploads.items():
        target = folder / name
        if target.is_file() and target.read_bytes() == content:
            continue
        tmp = folder / f".{name}.tmp"
        tmp.write_bytes(content)
        os.replace(tmp, target)
    for stale in folder.iterdir():
        if stale.is_file() and stale.name not in uploads and not stale.name.startswith("."):
            stale.unlink()
    return len(uploads)


def marks(library: LibraryRecords) -> dict[str, DocumentStatus]:
    return {d: DocumentStatus(s.status, s.superseded_by) for d, s in library.statuses().items()}


@contextlib.contextmanager
def worker_lock(db: Database, settings: Settings) -> Iterator[bool]:
    """True while this process holds the one ingest lock; False at once when another holds it."""
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _LOCK_KEY}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                    conn.commit()
        return
    import fcntl

    path = settings.data_dir / "kb" / "jobs.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def summary_of(report: IngestReport) -> dict[str, Any]:
    """What the workbench shows of a run."""
    return {
        "generation": report.generation,
        "changed": report.changed,
        "documents": report.documents,
        "chunks": report.chunks,
        "embedded": report.embedded,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "withdrawn": report.withdrawn,
        "failed": report.failed,
        "kept": report.kept,
        "seconds": round(report.seconds, 2),
    }


def _finish(library: LibraryRecords, jobs: list[JobView], report: IngestReport, refused: str | None) -> None:
    summary = summary_of(report)
    for job in jobs:
        rel = f"uploaded/{job.filename}" if job.filename else None
        if refused is not None:
            library.finish(job.id, "refused", summary=summary, detail=refused)
        elif rel and rel in report.failed and rel not in report.kept:
            library.reject_upload(str(job.filename))  # not retried by every later ingest
            library.finish(job.id, "failed", summary=summary, detail=f"{job.filename}: {report.failed[rel]}")
        elif rel and rel in report.kept:
            library.reject_upload(str(job.filename))  # the earlier upload comes back: it is what is live
            detail = f"{job.filename}: {report.kept[rel]}; the earlier version stays in use"
            library.finish(job.id, "failed", summary=summary, detail=detail)
        else:
            library.finish(job.id, "done", summary=summary)


def run_batch(settings: Settings, library: LibraryRecords, jobs: list[JobView]) -> None:
    """One ingest for every job taken: uploads written out, marks applied, the result on each job."""
    ids = [j.id for j in jobs]

    def progress(stage: str, done: int, total: int) -> None:
        try:
            library.progress(ids, stage, done, total)
        except Exception:  # progress is a courtesy; the ingest goes on
            logger.warning("could not record ingest progress", exc_info=True)

    report = IngestReport()
    try:
        write_uploads(library, documents_dir(settings))
        report = ingest_folder(
            settings,
            settings.policies_dir,
            uploaded=documents_dir(settings),
            statuses=marks(library),
            on_progress=progress,
        )
    except PublishRefused as exc:
        _finish(library, jobs, exc.report, exc.detail)
        return
    except BangfuError as exc:
        for job in jobs:
            library.finish(job.id, "failed", summary=summary_of(report), detail=exc.detail)
        return
    except Exception:
        logger.exception("the ingest job failed")
        for job in jobs:
            library.finish(
                job.id, "failed", summary=summary_of(report), detail="the ingest stopped on an internal error"
            )
        return
    _finish(library, jobs, report, None)


def run_jobs(settings: Settings, *, db: Database | None = None) -> int:
    """Run queued jobs until none is left; returns how many jobs this process ran."""
    own = db is None
    db = db or Database.open(settings)
    library = LibraryRecords(db)
    ran = 0
    try:
        while True:
            with worker_lock(db, settings) as got:
                if not got:
                    logger.info("another ingest worker is running; it takes the queued jobs")
                    return ran
                abandoned = library.abandon_running(
                    "the ingest worker stopped before finishing; upload again"
                )
                if abandoned:
                    logger.warning("%d ingest jobs were left running by a stopped worker", abandoned)
                while jobs := library.claim_all():
                    logger.info("ingesting for %d queued jobs", len(jobs))
                    run_batch(settings, library, jobs)
                    ran += len(jobs)
            # A job queued after the last claim but before the lock was let go: its own worker found the lock
            # taken and left, so look once more.
            if not library.pending():
                return ran
    finally:
        if own:
            db.close()


def ingest_with_library(
    settings: Settings, folder: Path, *, progress: bool = False, allow_removal: bool = False
) -> IngestReport:
    """`python -m ingest FOLDER`: the folder with the uploaded documents and the workbench's marks, under the
    one ingest lock."""
    db = Database.open(settings)
    try:
        library = LibraryRecords(db)
        with worker_lock(db, settings) as got:
            if not got:
                from core.errors import ServiceUnavailable

                raise ServiceUnavailable("another ingest is running (started from the workbench)")
            uploaded = documents_dir(settings)
            count = write_uploads(library, uploaded)
            return ingest_folder(
                settings,
                folder,
                progress=progress,
                allow_removal=allow_removal,
                uploaded=uploaded if count else None,
                statuses=marks(library),
            )
    finally:
        db.close()
