"""API keys that can be rotated and narrowed: the old key's hash during its grace period, last use, and the
addresses a client may call from.

Revision ID: 0003_trust
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_trust"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_key_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("previous_key_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("allow_from", sa.JSON(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_api_clients_previous_key_hash"), ["previous_key_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_clients_previous_key_hash"))
        batch_op.drop_column("allow_from")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("previous_key_expires_at")
        batch_op.drop_column("previous_key_hash")
