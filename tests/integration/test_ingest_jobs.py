"""Ingest jobs from the workbench (ingest/jobs.py) on real SQLite and real PostgreSQL with the real model: one
ingest at a time (a second worker leaves the job to the one holding the lock, and the job runs when it is let go),
uploads kept in the database survive an emptied documents folder, and a command-line ingest keeps them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from core.records.audit import CLI_ADMIN
from core.records.db import Database, temporary_schema
from core.records.library import LibraryRecords
from core.settings import Settings
from ingest.jobs import documents_dir, ingest_with_library, run_jobs, worker_lock

DOCS = {
    "a.md": "# 青禾县测试文件甲\n\n第一条 每户补助500元。\n",
    "b.md": "# 青禾县测试文件乙\n\n第一条 由村委会申报。\n",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    folder = tmp_path / "policies"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    pg = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    with temporary_schema(pg) if pg else nullcontext(None) as url:
        yield Settings(
            data_dir=tmp_path / "data",
            policies_dir=folder,
            database_url=url,
            secret_key="test-secret-key-0123456789abcdef",
        )


def test_one_ingest_at_a_time_and_a_waiting_job_runs_after(settings: Settings) -> None:
    db = Database.open(settings)
    try:
        library = LibraryRecords(db)
        job = library.add_upload("新文件.md", "# 新文件\n\n第一条 每人每月90元。\n".encode(), actor=CLI_ADMIN)
        holder = Database.open(settings)  # another replica's worker, mid-ingest
        try:
            with worker_lock(holder, settings) as got:
                assert got
                assert run_jobs(settings) == 0  # finds the lock taken and leaves the job to the holder
                assert library.job(job.id).status == "queued"
        finally:
            holder.close()
        assert run_jobs(settings) == 1
        done = library.job(job.id)
        assert done.status == "done", done
        assert "uploaded/新文件.md" in done.summary["added"] and done.summary["documents"] == 3

        # the uploads live in the database: an emptied documents folder is written again before the next run
        shutil.rmtree(documents_dir(settings))
        report = ingest_with_library(settings, settings.policies_dir)
        assert (documents_dir(settings) / "新文件.md").is_file()
        assert (
            report.documents == 3 and report.removed == []
        )  # a command-line ingest keeps uploaded documents

        with worker_lock(db, settings) as got:
            assert got
            from core.errors import ServiceUnavailable

            with pytest.raises(ServiceUnavailable):
                ingest_with_library(settings, settings.policies_dir)  # the CLI waits for nobody: it says so
    finally:
        db.close()


def test_a_withdrawn_mark_leaves_a_document_out_and_cannot_empty_the_library(settings: Settings) -> None:
    db = Database.open(settings)
    try:
        library = LibraryRecords(db)
        assert ingest_with_library(settings, settings.policies_dir).documents == 2
        job = library.set_status("a", "withdrawn", actor=CLI_ADMIN)
        run_jobs(settings)
        done = library.job(job.id)
        assert (
            done.status == "done" and done.summary["withdrawn"] == ["a.md"] and done.summary["documents"] == 1
        )
        last = library.set_status("b", "withdrawn", actor=CLI_ADMIN)
        run_jobs(settings)
        refused = library.job(last.id)
        assert refused.status == "refused" and "empty" in (refused.detail or "")
    finally:
        db.close()


def test_a_job_left_running_by_a_dead_worker_is_failed_by_the_next(settings: Settings) -> None:
    from datetime import timedelta

    from core.records.db import utcnow

    db = Database.open(settings)
    try:
        library = LibraryRecords(db)
        job = library.queue("reingest", actor=CLI_ADMIN)
        assert [j.id for j in library.claim_all()] == [job.id]  # taken by a worker that then died
        running = library.job(job.id)
        assert not running.stalled(utcnow()) and running.stalled(utcnow() + timedelta(minutes=11))
        run_jobs(settings)
        dead = library.job(job.id)
        assert dead.status == "failed" and "stopped" in (dead.detail or "")
    finally:
        db.close()
