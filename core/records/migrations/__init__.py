"""Alembic migrations of the household, identity and audit tables (applied by `core.records.db.Database.open`)."""
