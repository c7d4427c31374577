"""`python -m api` serves the API; `codes`, `audit`, `clients` and `cadres` are admin commands on the server."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from api.dates import cli_day
from core.errors import ConfigError
from core.settings import Settings

if TYPE_CHECKING:
    from core.records.identity import ClientInfo


def _configure_logging(settings: Settings | None) -> None:
    """JSON lines (or text) on stderr, request ids, ID and phone numbers masked."""
    from core.ops.logs import configure_logging

    if settings is None:
        configure_logging("text")
    else:
        configure_logging(settings.log_format, logging.getLevelNamesMapping()[settings.log_level])


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `serve` runs uvicorn (also used by the tests that run it)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        # None: uvicorn's loggers propagate to the root handler, which masks ID and phone numbers.
        "log_config": None,
        "access_log": False,  # the API writes its own access line, with the request id and the route template
        # uvicorn would trust X-Forwarded-For from 127.0.0.1 by default, so anyone on the host could pick their
        # address. The app honours it from BANGFU_TRUSTED_PROXIES only (api.app), so uvicorn's is off.
        "proxy_headers": False,
        "forwarded_allow_ips": "",
    }


def serve(settings: Settings) -> int:
    """Run uvicorn on BANGFU_HOST:BANGFU_PORT."""
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(settings), **uvicorn_options(settings))
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


CLIENT_ACTIONS = ("list", "revoke", "rotate", "create")


def manage_clients(settings: Settings, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`clients NAME --role R` / `clients create NAME --role R`, `clients list`, `clients revoke|rotate NAME`."""
    from core.services import build_services

    words = args.words
    action = words[0] if words[0] in CLIENT_ACTIONS else "create"
    names = words[1:] if words[0] in CLIENT_ACTIONS else words
    if len(names) != (0 if action == "list" else 1):
        parser.error("clients: give one NAME (or `clients list`)")
    if action == "create" and args.role is None:
        parser.error("clients: a new client needs --role portal|channel|admin")
    allow_from = [net for item in args.allow_from or [] for net in item.split(",") if net.strip()]
    services = build_services(settings)
    try:
        identity = services.identity
        if action == "list":
            _print_clients(identity.list_clients())
        elif action == "revoke":
            identity.revoke_client(name=names[0])
            print(f"revoked {names[0]}: its keys are refused from now on", file=sys.stderr)
        elif action == "rotate":
            rotated = identity.rotate_client(name=names[0], grace_hours=args.grace_hours)
            print(rotated.key)
            until = rotated.old_key_valid_until
            note = (
                f"valid until {until:%Y-%m-%d %H:%M} UTC" if args.grace_hours != 0 else "refused from now on"
            )
            print(f"the old key is {note}", file=sys.stderr)
        else:
            _client, key = identity.create_client(name=names[0], role=args.role, allow_from=allow_from)
            print(key)
    finally:
        services.close()
    return 0


def _print_clients(clients: list[ClientInfo]) -> None:
    """One tab-separated line per client: name, role, created, last used, status, allowed addresses."""

    def when(value: datetime | None) -> str:
        return f"{value:%Y-%m-%d %H:%M}" if value else "-"

    print("name\trole\tcreated\tlast_used\tstatus\tallow_from")
    for c in clients:
        if c.configured:
            status = "configured (BANGFU_API_KEY)"
        elif c.revoked_at:
            status = f"revoked {when(c.revoked_at)}"
        elif c.old_key_valid_until:
            status = f"rotating, old key until {when(c.old_key_valid_until)}"
        else:
            status = "active"
        allowed = ",".join(c.allow_from) or "any"
        print(f"{c.name}\t{c.role}\t{when(c.created_at)}\t{when(c.last_used_at)}\t{status}\t{allowed}")


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
    clients = sub.add_parser(
        "clients",
        help="API clients: NAME --role R (register, print its key), list, revoke NAME, rotate NAME",
        description="clients NAME --role ROLE [--allow-from NET]: register a client and print its key; "
        "clients list: names, roles, created, last used; clients revoke NAME: refuse its keys at once; "
        "clients rotate NAME [--grace-hours H]: print a new key, the old one stays valid H hours "
        "(default BANGFU_KEY_ROTATION_GRACE_HOURS, 24)",
    )
    clients.add_argument("words", nargs="+", metavar="NAME | list | revoke NAME | rotate NAME")
    clients.add_argument("--role", choices=("portal", "channel", "admin"))
    clients.add_argument(
        "--allow-from",
        action="append",
        metavar="NET",
        help="an address or network (10.0.0.5, 10.0.0.0/24) the key may be used from; repeat or comma-separate",
    )
    clients.add_argument("--grace-hours", type=int, metavar="H", help="rotate: hours the old key stays valid")
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
            return manage_clients(settings, args, clients)
        if args.command == "cadres":
            return add_cadre(settings, args)
    except BangfuError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
