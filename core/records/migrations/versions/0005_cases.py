"""Cases: hardship reports (防返贫 自主申报), their steps, attachments (in the database) and the notification outbox.

Revision ID: 0005_cases
Revises: 0004
Create Date: 2026-12-07 10:14:27.201946
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_cases"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=24), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("township", sa.String(length=50), nullable=False),
        sa.Column("village", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_range", sa.String(length=10), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("reporter_channel", sa.String(length=50), nullable=False),
        sa.Column("reporter_chat_user_id", sa.String(length=64), nullable=False),
        sa.Column("reporter_phone_hash", sa.String(length=64), nullable=True),
        sa.Column("reporter_phone_masked", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resume_status", sa.String(length=20), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("monitoring_type", sa.String(length=20), nullable=True),
        sa.Column("risk_level", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_cases_household_id_households"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_no", name=op.f("uq_cases_case_no")),
    )
    op.create_index("ix_cases_area", "cases", ["township", "village"], unique=False)
    op.create_index(
        "ix_cases_household_category", "cases", ["household_id", "category", "created_at"], unique=False
    )
    op.create_index("ix_cases_reporter", "cases", ["reporter_channel", "reporter_chat_user_id"], unique=False)
    op.create_index(op.f("ix_cases_status"), "cases", ["status"], unique=False)

    op.create_table(
        "case_notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("chat_user_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notifications_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_case_notifications_dedupe_key")),
    )
    op.create_index(op.f("ix_case_notifications_case_id"), "case_notifications", ["case_id"], unique=False)
    op.create_index(
        "ix_case_notifications_pending",
        "case_notifications",
        ["channel", "delivered_at", "leased_until"],
        unique=False,
    )

    op.create_table(
        "case_steps",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_steps_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
    )
    op.create_index(op.f("ix_case_steps_case_id"), "case_steps", ["case_id"], unique=False)

    op.create_table(
        "case_attachments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_attachments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["case_steps.id"],
            name=op.f("fk_case_attachments_step_id_case_steps"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
    )
    op.create_index(op.f("ix_case_attachments_case_id"), "case_attachments", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_attachments_case_id"), table_name="case_attachments")

    op.drop_table("case_attachments")
    op.drop_index(op.f("ix_case_steps_case_id"), table_name="case_steps")

    op.drop_table("case_steps")
    op.drop_index("ix_case_notifications_pending", table_name="case_notifications")
    op.drop_index(op.f("ix_case_notifications_case_id"), table_name="case_notifications")

    op.drop_table("case_notifications")
    op.drop_index(op.f("ix_cases_status"), table_name="cases")
    op.drop_index("ix_cases_reporter", table_name="cases")
    op.drop_index("ix_cases_household_category", table_name="cases")
    op.drop_index("ix_cases_area", table_name="cases")

    op.drop_table("cases")
