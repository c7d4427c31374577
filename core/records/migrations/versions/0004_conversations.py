"""Conversations: server-side state of follow-up questions, shared by replicas, expiring after idle time.

Revision ID: 0004
Revises: 0003_trust
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(op.f("ix_conversations_expires_at"), "conversations", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_conversations_expires_at"), table_name="conversations")
    op.drop_table("conversations")
