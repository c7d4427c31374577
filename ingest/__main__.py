"""`python -m ingest [PATH] [--allow-removal]`, `python -m ingest --explain DOC [PATH]`,
`python -m ingest households FILE` and `python -m ingest jobs`.

A folder ingest also reads the documents uploaded at the workbench and applies its marks (ingest/jobs.py);
`jobs` runs the ingest jobs the workbench queued, one at a time, and exits when none is left.

Exit codes: 0 published (or nothing changed), 1 published but some files failed, 2 an error (no such folder,
another ingest running), 3 refused to publish because the run would empty or mostly remove the library.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from core.errors import BangfuError
from core.settings import Settings


def _configure_logging() -> None:
    from core.ops.logs import NOISY, ThirdPartyFilter

    root = logging.getLogger()
    if (
        not root.handlers
    ):  # as basicConfig: a host that configured logging (a test run) keeps its handlers as they are
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(ThirdPartyFilter())  # bm25s sets its logger to DEBUG when it is imported
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from core.records.pii import install_log_masking

    install_log_masking()


def main(argv: list[str] | None = None) -> int:
    """Run the ingest job; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _configure_logging()
    if argv and argv[0] == "households":
        parser = argparse.ArgumentParser(prog="python -m ingest households")
        parser.add_argument("file", type=Path, help="CSV or XLSX export of household records")
        args = parser.parse_args(argv[1:])
        try:
            from ingest.households import import_households_cli
        except ImportError:
            print("household import is not available in this build", file=sys.stderr)
            return 2
        return import_households_cli(Settings(), args.file)
    if argv and argv[0] == "jobs":
        argparse.ArgumentParser(
            prog="python -m ingest jobs", description="Run queued ingest jobs."
        ).parse_args(argv[1:])
        from ingest.jobs import run_jobs

        try:
            ran = run_jobs(Settings())
        except BangfuError as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 2
        print(f"ingest jobs run: {ran}")
        return 0

    parser = argparse.ArgumentParser(prog="python -m ingest", description="Ingest a policies folder.")
    parser.add_argument("path", nargs="?", type=Path, help="policies folder (default: policies/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--allow-removal",
        action="store_true",
        help="publish even when the run empties the library or removes more than half of its documents",
    )
    parser.add_argument(
        "--explain",
        metavar="DOC",
        help="show each metadata field of one document (doc id or path) with the line it was read from; "
        "reads the folder, writes nothing",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.explain:
        from ingest.explain import explain

        try:
            print(explain(args.explain, args.path, settings.policies_dir))
        except BangfuError as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 2
        return 0
    folder = args.path or settings.policies_dir
    from ingest.jobs import ingest_with_library
    from ingest.pipeline import PublishRefused

    try:
        report = ingest_with_library(
            settings,
            folder,
            progress=sys.stderr.isatty() and not args.no_progress,
            allow_removal=args.allow_removal,
        )
    except KeyboardInterrupt:
        print("interrupted: the previous knowledge base is still the live one", file=sys.stderr)
        return 130
    except PublishRefused as exc:
        for line in exc.report.failure_lines():
            print(line)
        print(f"refused to publish: {exc.detail}", file=sys.stderr)
        return 3
    except BangfuError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
