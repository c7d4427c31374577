"""Unanswered questions and answer feedback in the database (were JSON-lines files in the data dir).

`legacy_imports` marks the old files already imported (see `core.records.legacy`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_questions")),
    )
    op.create_index(op.f("ix_unanswered_questions_at"), "unanswered_questions", ["at"], unique=False)
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("doc_ids", sa.JSON(), nullable=False),
        sa.Column("client", sa.String(length=50), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
    )
    op.create_index(op.f("ix_answer_feedback_at"), "answer_feedback", ["at"], unique=False)
    op.create_table(
        "legacy_imports",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "sha256", name=op.f("pk_legacy_imports")),
    )


def downgrade() -> None:
    op.drop_table("legacy_imports")
    op.drop_index(op.f("ix_answer_feedback_at"), table_name="answer_feedback")
    op.drop_table("answer_feedback")
    op.drop_index(op.f("ix_unanswered_questions_at"), table_name="unanswered_questions")
    op.drop_table("unanswered_questions")
