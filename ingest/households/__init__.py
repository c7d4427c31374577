"""`python -m ingest households FILE`: import a county's household records from XLSX or CSV.

An XLSX workbook holds one sheet per kind of record (户信息, 家庭成员, 帮扶措施, 资金发放); CSV exports come as
one file per kind, or a folder of them. Sheets and files are recognised by name or by their column headers;
the headers are the Chinese ones county exports use (see `sheets.SHEETS` and examples/README.md). CSV may be UTF-8
(with or without BOM), GBK or GB18030.

Every row is checked (18-digit ID checksum, known 户类型, dates, amounts, duplicate keys, references to
households); a file with any problem is rejected whole with a row-by-row report, and nothing is written.
A clean file is upserted by 户编号 in one transaction::

    batch = read_batch(Path("examples/households.xlsx"), known_measures={"microcredit", ...})
    services.households.import_batch(batch)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.errors import BangfuError, ImportRejected
from core.settings import Settings
from ingest.households.rows import parse_date, read_batch
from ingest.households.sheets import SHEETS, Column, Sheet

__all__ = [
    "SHEETS",
    "Column",
    "Sheet",
    "catalog_measure_ids",
    "import_households_cli",
    "parse_date",
    "read_batch",
    "report",
]

MAX_REPORTED = 200


def catalog_measure_ids(policies_dir: Path) -> set[str] | None:
    """The measure ids of the catalog in `policies_dir/measures` (file name = id), or None when absent."""
    folder = policies_dir / "measures"
    ids = {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()
    return ids or None


def report(problems: list[str]) -> str:
    """The row-by-row report printed when an import is rejected."""
    lines = [
        f"Import rejected, nothing was imported (导入失败，未导入任何数据): {len(problems)} problem(s).",
        *(f"  {p}" for p in problems[:MAX_REPORTED]),
    ]
    if len(problems) > MAX_REPORTED:
        lines.append(f"  … and {len(problems) - MAX_REPORTED} more")
    return "\n".join(lines)


def import_households_cli(settings: Settings, path: Path) -> int:
    """Import `path`; prints a summary or the problem report; returns the exit code (0 imported, 1 rejected)."""
    from core.services import build_services

    started = time.perf_counter()
    known = catalog_measure_ids(settings.policies_dir)
    if known is None:
        print(
            f"note: no measure catalog under {settings.policies_dir}; measure ids are checked for form only"
        )
    try:
        batch = read_batch(path, known_measures=known)
        services = build_services(settings)
        try:
            result = services.households.import_batch(batch)
        finally:
            services.close()
    except ImportRejected as exc:
        print(report(exc.problems or [exc.detail]), file=sys.stdout)
        return 1
    except BangfuError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(
        f"Imported {result.households} households ({result.created} new, {result.updated} updated), "
        f"{result.members} members, {result.measures} measures, {result.payments} payments "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0
