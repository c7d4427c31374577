"""Alembic environment: runs on the connection `core.records.db.Database.migrate` passes in (no alembic.ini)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

import core.records.audit
import core.records.cases
import core.records.conversations
import core.records.feedback
import core.records.households
import core.records.identity
import core.records.legacy
import core.records.unanswered  # noqa: F401 - registers the tables on the metadata
from core.records.db import Base, UTCDateTime


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations stay plain SQLAlchemy: the UTC conversion is Python-side only.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through core.records.db.Database.migrate(), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
