"""Household records, identities and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2024-07-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_clients_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_clients_name")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("household_no", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_household_no"), "audit_log", ["household_no"], unique=False)
    op.create_table(
        "binding_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("chat_user_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_failures")),
    )
    op.create_index(op.f("ix_binding_failures_at"), "binding_failures", ["at"], unique=False)
    op.create_index(
        "ix_binding_failures_user", "binding_failures", ["channel", "chat_user_id", "at"], unique=False
    )
    op.create_table(
        "cadres",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_masked", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("township", sa.String(length=50), nullable=True),
        sa.Column("village", sa.String(length=50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cadres")),
    )
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_no", sa.String(length=32), nullable=False),
        sa.Column("township", sa.String(length=50), nullable=False),
        sa.Column("village", sa.String(length=50), nullable=False),
        sa.Column("group_name", sa.String(length=50), nullable=True),
        sa.Column("head_name", sa.String(length=50), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("phone_masked", sa.String(length=16), nullable=True),
        sa.Column("household_type", sa.String(length=10), nullable=False),
        sa.Column("monitoring_type", sa.String(length=20), nullable=True),
        sa.Column("risk_level", sa.String(length=10), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("helper_name", sa.String(length=50), nullable=True),
        sa.Column("helper_phone", sa.String(length=20), nullable=True),
        sa.Column("data_as_of", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("household_no", name=op.f("uq_households_household_no")),
    )
    op.create_index("ix_households_area", "households", ["township", "village"], unique=False)
    op.create_table(
        "binding_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("cadre_id", sa.Integer(), nullable=True),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(household_id IS NULL) <> (cadre_id IS NULL)", name=op.f("ck_binding_codes_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["cadre_id"], ["cadres.id"], name=op.f("fk_binding_codes_cadre_id_cadres"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_binding_codes_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_binding_codes_code_hash")),
    )
    op.create_index(op.f("ix_binding_codes_cadre_id"), "binding_codes", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_binding_codes_household_id"), "binding_codes", ["household_id"], unique=False)
    op.create_table(
        "chat_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("chat_user_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("cadre_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(household_id IS NULL) <> (cadre_id IS NULL)", name=op.f("ck_chat_bindings_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["cadre_id"], ["cadres.id"], name=op.f("fk_chat_bindings_cadre_id_cadres"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_chat_bindings_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_bindings")),
        sa.UniqueConstraint("channel", "chat_user_id", name=op.f("uq_chat_bindings_channel_chat_user_id")),
    )
    op.create_index(op.f("ix_chat_bindings_cadre_id"), "chat_bindings", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_chat_bindings_household_id"), "chat_bindings", ["household_id"], unique=False)
    op.create_table(
        "household_measures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("content", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_measures_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_measures")),
    )
    op.create_index(
        op.f("ix_household_measures_household_id"), "household_measures", ["household_id"], unique=False
    )
    op.create_table(
        "household_members",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_masked", sa.String(length=18), nullable=False),
        sa.Column("id_last4", sa.String(length=4), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("labor_capacity", sa.String(length=10), nullable=True),
        sa.Column("health", sa.String(length=50), nullable=True),
        sa.Column("schooling", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
    )
    op.create_index(
        op.f("ix_household_members_household_id"), "household_members", ["household_id"], unique=False
    )
    op.create_index(op.f("ix_household_members_id_hash"), "household_members", ["id_hash"], unique=False)
    op.create_index(op.f("ix_household_members_id_last4"), "household_members", ["id_last4"], unique=False)
    op.create_index(op.f("ix_household_members_name"), "household_members", ["name"], unique=False)
    op.create_table(
        "household_payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=50), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_payments_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_payments")),
    )
    op.create_index(
        op.f("ix_household_payments_household_id"), "household_payments", ["household_id"], unique=False
    )

    _append_only_audit_log()


# The audit log is append-only: the database itself refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL).
def _append_only_audit_log() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only';
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    op.drop_index(op.f("ix_household_payments_household_id"), table_name="household_payments")
    op.drop_table("household_payments")
    op.drop_index(op.f("ix_household_members_name"), table_name="household_members")
    op.drop_index(op.f("ix_household_members_id_last4"), table_name="household_members")
    op.drop_index(op.f("ix_household_members_id_hash"), table_name="household_members")
    op.drop_index(op.f("ix_household_members_household_id"), table_name="household_members")
    op.drop_table("household_members")
    op.drop_index(op.f("ix_household_measures_household_id"), table_name="household_measures")
    op.drop_table("household_measures")
    op.drop_index(op.f("ix_chat_bindings_household_id"), table_name="chat_bindings")
    op.drop_index(op.f("ix_chat_bindings_cadre_id"), table_name="chat_bindings")
    op.drop_table("chat_bindings")
    op.drop_index(op.f("ix_binding_codes_household_id"), table_name="binding_codes")
    op.drop_index(op.f("ix_binding_codes_cadre_id"), table_name="binding_codes")
    op.drop_table("binding_codes")
    op.drop_index("ix_households_area", table_name="households")
    op.drop_table("households")
    op.drop_table("cadres")
    op.drop_index("ix_binding_failures_user", table_name="binding_failures")
    op.drop_index(op.f("ix_binding_failures_at"), table_name="binding_failures")
    op.drop_table("binding_failures")
    op.drop_index(op.f("ix_audit_log_household_no"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("api_clients")
