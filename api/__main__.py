"""`python -m api` serves the API; `python -m api codes …` and `python -m api audit …` are admin commands."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from api.dates import cli_day
from core.errors import ConfigError
from core.settings import Settings


def _configure_logging(settings: Settings | None) -> None:
    """JSON lines (or text) on stderr, request ids, ID and phone numbers masked."""
    from core.ops.logs import configure_logging

    if settings is None:
        configure_logging("text")
    else:
        configure_logging(settings.log_format, logging.getLevelNamesMapping()[settings.log_level])


def serve(settings: Settings) -> int:
    """Run uvicorn on BANGFU_HOST:BANGFU_PORT."""
    import uvicorn

    from api.app import create_app

    # log_config=None: uvicorn's loggers propagate to the root handler, which masks ID and phone numbers.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=None,
        access_log=False,  # the API writes its own access line, with the request id and the route template
    )
    return 0


def issue_code(settings: Settings, household_no: str | None, cadre_id: int | None) -> int:
    """Print a single-use binding code for a household or a cadre account."""
    from core.records.audit import CLI_ADMIN
    from core.services import build_services

    services = build_services(settings)
    try:
        if cadre_id is not None:
            issued = services.identity.issue_cadre_code(cadre_id=cadre_id, actor=CLI_ADMIN)
        else:
            assert household_no is not None
            issued = services.identity.issue_household_code(household_no=household_no, actor=CLI_ADMIN)
    finally:
        services.close()
    print(issued.code)
    print(f"valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC, single use", file=sys.stderr)
    return 0


def export_audit(settings: Settings, since: date, until: date | None, output: Path | None) -> int:
    """Write the audit log from `since` as CSV to `output` or stdout."""
    from core.records.audit import export_csv
    from core.services import build_services

    services = build_services(settings)
    try:
        if output is None:
            count = export_csv(services.db, since=since, until=until, out=sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = export_csv(services.db, since=since, until=until, out=out)
    finally:
        services.close()
    print(f"{count} audit records", file=sys.stderr)
    return 0


def add_client(settings: Settings, name: str, role: str) -> int:
    """Register an API client and print its key (shown this once)."""
    from core.services import build_services

    services = build_services(settings)
    try:
        _client, key = services.identity.create_client(name=name, role=role)
    finally:
        services.close()
    print(key)
    return 0


def add_cadre(settings: Settings, args: argparse.Namespace) -> int:
    """Create a cadre account and print its id."""
    from core.records.audit import CLI_ADMIN
    from core.records.households import Jurisdiction
    from core.services import build_services

    services = build_services(settings)
    try:
        cadre = services.identity.create_cadre(
            name=args.name,
            phone=args.phone,
            jurisdiction=Jurisdiction(args.level, args.township, args.village),
            actor=CLI_ADMIN,
        )
    finally:
        services.close()
    print(cadre.id)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m api")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve the API (default)")
    codes = sub.add_parser("codes", help="issue a single-use binding code and print it")
    codes.add_argument("household_no", nargs="?", help="户编号 of the household")
    codes.add_argument("--cadre", type=int, metavar="ID", help="a cadre account's id instead of a household")
    audit = sub.add_parser("audit", help="export the audit log as CSV")
    audit.add_argument(
        "--since", type=cli_day, required=True, help="first day (UTC): today, yesterday or YYYY-MM-DD"
    )
    audit.add_argument("--until", type=cli_day, help="day after the last: today, yesterday or YYYY-MM-DD")
    audit.add_argument("--output", type=Path, help="CSV file to write (default: stdout)")
    clients = sub.add_parser("clients", help="register an API client and print its key")
    clients.add_argument("name", help="client name, e.g. portal or wechat")
    clients.add_argument("--role", choices=("portal", "channel", "admin"), required=True)
    cadres = sub.add_parser("cadres", help="create a cadre account and print its id")
    cadres.add_argument("--name", required=True)
    cadres.add_argument("--phone", required=True, help="the cadre's mobile; binding checks it")
    cadres.add_argument("--level", choices=("county", "township", "village"), required=True)
    cadres.add_argument("--township")
    cadres.add_argument("--village")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except (ConfigError, ValidationError) as exc:
        _configure_logging(None)
        logging.getLogger("api").error("bad configuration: %s", exc)
        return 2
    _configure_logging(settings if args.command in (None, "serve") else None)
    if args.command in (None, "serve"):
        return serve(settings)
    from core.errors import BangfuError

    try:
        if args.command == "codes":
            if (args.household_no is None) == (args.cadre is None):
                parser.error("give a household number or --cadre ID")
            return issue_code(settings, args.household_no, args.cadre)
        if args.command == "audit":
            return export_audit(settings, args.since, args.until, args.output)
        if args.command == "clients":
            return add_client(settings, args.name, args.role)
        if args.command == "cadres":
            return add_cadre(settings, args)
    except BangfuError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
