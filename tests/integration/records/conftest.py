"""Every records test runs on real SQLite and on real PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.records.db import Database, temporary_schema
from core.records.households import HouseholdRecords
from core.records.identity import Identity
from core.records.pii import PiiHasher
from core.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    values = {"data_dir": tmp_path, "env": "development", "secret_key": "test-secret-key-0123456789abcdef"}
    if request.param == "sqlite":
        yield Settings(**values)  # type: ignore[arg-type]
        return
    with temporary_schema(request.getfixturevalue("pg_url")) as url:
        yield Settings(**values, database_url=url)  # type: ignore[arg-type]


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database.open(settings)
    yield database
    database.close()


@pytest.fixture
def records(db: Database, settings: Settings) -> HouseholdRecords:
    return HouseholdRecords(db, PiiHasher.from_settings(settings))


@pytest.fixture
def identity(db: Database, settings: Settings) -> Identity:
    return Identity(db, PiiHasher.from_settings(settings), settings)
