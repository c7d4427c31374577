"""Workbench: sign-in links and sessions, curated answers, uploaded documents, document statuses, ingest jobs;
the asker's place and the review state on unanswered questions and feedback, and the answer voted on.

Revision ID: 0006_workbench
Revises: 0005_cases
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_workbench"
down_revision = "0005_cases"
branch_labels = None
depends_on = None

_REVIEWED = ("unanswered_questions", "answer_feedback")


def _review_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("township", sa.String(length=50), nullable=True),
        sa.Column("village", sa.String(length=50), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("resolution_note", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "workbench_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("cadre_id", sa.Integer(), nullable=True),
        sa.Column("admin", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(cadre_id IS NULL) <> (admin IS NULL)", name=op.f("ck_workbench_links_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["cadre_id"], ["cadres.id"], name=op.f("fk_workbench_links_cadre_id_cadres"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workbench_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_workbench_links_token_hash")),
    )
    op.create_index(op.f("ix_workbench_links_cadre_id"), "workbench_links", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_workbench_links_expires_at"), "workbench_links", ["expires_at"], unique=False)

    op.create_table(
        "workbench_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("cadre_id", sa.Integer(), nullable=True),
        sa.Column("admin", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(cadre_id IS NULL) <> (admin IS NULL)", name=op.f("ck_workbench_sessions_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["cadre_id"],
            ["cadres.id"],
            name=op.f("fk_workbench_sessions_cadre_id_cadres"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workbench_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_workbench_sessions_token_hash")),
    )
    op.create_index(op.f("ix_workbench_sessions_cadre_id"), "workbench_sessions", ["cadre_id"], unique=False)
    op.create_index(
        op.f("ix_workbench_sessions_expires_at"), "workbench_sessions", ["expires_at"], unique=False
    )

    op.create_table(
        "curated_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("phrasings", sa.JSON(), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curated_answers")),
    )

    op.create_table(
        "document_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_uploads")),
    )
    op.create_index(op.f("ix_document_uploads_filename"), "document_uploads", ["filename"], unique=False)

    op.create_table(
        "document_status",
        sa.Column("doc_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("superseded_by", sa.String(length=200), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_document_status")),
    )

    op.create_table(
        "ingest_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("detail", sa.String(length=2000), nullable=True),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("doc_id", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_jobs")),
    )
    op.create_index(op.f("ix_ingest_jobs_status"), "ingest_jobs", ["status"], unique=False)
    op.create_index(op.f("ix_ingest_jobs_created_at"), "ingest_jobs", ["created_at"], unique=False)

    for table in _REVIEWED:
        with op.batch_alter_table(table) as batch:
            for column in _review_columns():
                batch.add_column(column)
        op.create_index(op.f(f"ix_{table}_township"), table, ["township"], unique=False)
    with op.batch_alter_table("answer_feedback") as batch:
        batch.add_column(sa.Column("answer", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answer_feedback") as batch:
        batch.drop_column("answer")
    for table in _REVIEWED:
        op.drop_index(op.f(f"ix_{table}_township"), table_name=table)
        with op.batch_alter_table(table) as batch:
            for column in reversed(_review_columns()):
                batch.drop_column(column.name)
    op.drop_index(op.f("ix_ingest_jobs_created_at"), table_name="ingest_jobs")
    op.drop_index(op.f("ix_ingest_jobs_status"), table_name="ingest_jobs")
    op.drop_table("ingest_jobs")
    op.drop_table("document_status")
    op.drop_index(op.f("ix_document_uploads_filename"), table_name="document_uploads")
    op.drop_table("document_uploads")
    op.drop_table("curated_answers")
    op.drop_index(op.f("ix_workbench_sessions_expires_at"), table_name="workbench_sessions")
    op.drop_index(op.f("ix_workbench_sessions_cadre_id"), table_name="workbench_sessions")
    op.drop_table("workbench_sessions")
    op.drop_index(op.f("ix_workbench_links_expires_at"), table_name="workbench_links")
    op.drop_index(op.f("ix_workbench_links_cadre_id"), table_name="workbench_links")
    op.drop_table("workbench_links")
