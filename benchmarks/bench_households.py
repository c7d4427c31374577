"""Household import throughput: `python -m benchmarks.bench_households [N]` (default 10,000 households).

Generates a fictional export with examples/make_households.py (as XLSX and as a folder of CSVs), then times
reading/checking each file and writing the batch in one transaction on SQLite (WAL, synchronous=FULL) and on
PostgreSQL (a throwaway schema; skipped when the server is unreachable): first import and re-import (upsert).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from core.records.db import Database, temporary_schema
from core.records.households import HouseholdBatch, HouseholdRecords
from core.records.pii import PiiHasher
from core.settings import Settings
from ingest.households import read_batch

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("BANGFU_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T = TypeVar("T")


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_households", ROOT / "examples" / "make_households.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def timed(label: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<44} {time.perf_counter() - start:6.2f} s")
    return result


def write_twice(settings: Settings, batch: HouseholdBatch, label: str) -> None:
    db = Database.open(settings)
    try:
        records = HouseholdRecords(db, PiiHasher.from_settings(settings))
        timed(f"{label}: first import (insert)", lambda: records.import_batch(batch))
        timed(f"{label}: re-import (upsert, children replaced)", lambda: records.import_batch(batch))
        assert records.count() == len(batch.households)
    finally:
        db.close()


def pg_reachable() -> bool:
    engine = create_engine(PG_URL)
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def main(n: int = 10_000) -> None:
    gen = _generator()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        export = gen.generate(n)
        gen.write_xlsx(export, root / "big.xlsx")
        gen.write_csv(export, root / "csv")
        print(
            f"{n} households, {len(export.members)} members, {len(export.measures)} measures, "
            f"{len(export.payments)} payments"
        )
        timed("read + check XLSX", lambda: read_batch(root / "big.xlsx"))
        batch = timed("read + check CSV folder", lambda: read_batch(root / "csv"))
        settings = Settings(data_dir=root / "data", secret_key="bench-secret-key-0123456789abcdef")
        write_twice(settings, batch, "SQLite")
        if pg_reachable():
            with temporary_schema(PG_URL) as url:
                write_twice(settings.model_copy(update={"database_url": url}), batch, "PostgreSQL")
        else:
            print(f"  PostgreSQL at {PG_URL} unreachable: skipped")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
