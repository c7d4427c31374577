"""The records database itself on real SQLite and real PostgreSQL: migrations, SQLite settings, the audit log."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import core.records.cases
import core.records.conversations
import core.records.curated
import core.records.feedback
import core.records.identity
import core.records.legacy
import core.records.library
import core.records.staff
import core.records.unanswered  # noqa: F401 - every table on the metadata the migrations are compared with
from core.records import audit
from core.records.audit import CLI_ADMIN
from core.records.db import Base, Database, alembic_config, create_db_engine, database_url
from core.records.households import HouseholdRecords
from core.settings import Settings
from tests.helpers.records import HOUSEHOLD_ACTOR, audit_rows, id_of, small_batch

RUNTIME_TABLES = {"unanswered_questions", "answer_feedback", "legacy_imports"}
WORKBENCH_TABLES = {
    "workbench_links",
    "workbench_sessions",
    "curated_answers",
    "document_uploads",
    "document_status",
    "ingest_jobs",
}


def test_migrations_create_exactly_the_models_schema_and_rerun_cleanly(
    db: Database, settings: Settings
) -> None:
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
    assert {"households", "household_members", "audit_log", "chat_bindings", "binding_codes"} <= tables
    assert tables >= RUNTIME_TABLES | WORKBENCH_TABLES
    assert {"cases", "case_steps", "case_attachments", "case_notifications"} <= tables
    Database.open(settings).close()  # a second process starting: upgrade head is a no-op


def test_a_database_of_the_first_schema_upgrades_in_place(settings: Settings) -> None:
    engine = create_db_engine(database_url(settings))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0001")
            conn.execute(
                text(
                    "INSERT INTO api_clients (name, role, key_hash, created_at) "
                    "VALUES ('portal', 'portal', 'x', CURRENT_TIMESTAMP)"
                )
            )
        with engine.connect() as conn:
            assert not RUNTIME_TABLES & set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    db = Database.open(settings)  # what a replica of the new version does on start
    try:
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) >= RUNTIME_TABLES
            assert conn.execute(text("SELECT name FROM api_clients")).scalars().all() == ["portal"]
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            command.downgrade(alembic_config(conn), "0001")
            assert not RUNTIME_TABLES & set(inspect(conn).get_table_names())
            conn.commit()
    finally:
        db.close()


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    db = Database.open(Settings(data_dir=tmp_path, secret_key="test-secret-key-0123456789abcdef"))
    try:
        assert db.dialect == "sqlite" and (tmp_path / "bangfu.db").exists()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.close()


def test_audit_log_refuses_update_and_delete(db: Database) -> None:
    with db.session() as session:
        audit.record(session, actor=CLI_ADMIN, action="test", household_nos=["H0001"])
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
            session.execute(text(statement))
    assert [r.action for r in audit_rows(db)] == ["test"]


def test_audit_export_is_csv_of_the_requested_days(records: HouseholdRecords, db: Database) -> None:
    records.import_batch(small_batch())
    records.status(household_id=id_of(db, "H0001"), actor=HOUSEHOLD_ACTOR)
    out = io.StringIO()
    assert audit.export_csv(db, since=date.today() - timedelta(days=1), out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(audit.CSV_COLUMNS)
    assert ",household,chat:1,telegram,H0001,status," in lines[1]
    future = io.StringIO()
    assert audit.export_csv(db, since=date.today() + timedelta(days=2), out=future) == 0
