"""Structured logs: one JSON object per line, the request id of the request being served, numbers masked.

    configure_logging("json")          # entrypoints call this once
    with request_context("3f2a…"):     # the API's middleware sets the id for a request
        logger.info("answered", extra={"fields": {"abstained": False}})

Every record passes `core.records.pii.PiiLogFilter` first, so ID-card and mobile numbers are masked whatever logged
them. Extra structured fields go under `extra={"fields": {...}}` and are masked too.

Third-party libraries are heard from WARNING up (BANGFU_LOG_LEVEL=DEBUG lets everything through): a filter on the
handler decides by logger name, because some set their own logger's level on import (bm25s sets DEBUG), after
any level set here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from core.records.pii import install_log_masking, mask_text

LogFormat = Literal["json", "text"]

_request_id: ContextVar[str | None] = ContextVar("bangfu_request_id", default=None)

# Loggers heard at the configured level; every other logger only from WARNING up. uvicorn says where it listens,
# alembic which migrations it ran.
OWN = ("core", "api", "bot", "ingest", "uvicorn", "alembic.runtime.migration")
# Chatty libraries set to WARNING outright (unless debugging), so their records are not even made.
NOISY = ("chromadb", "jieba", "bm25s", "alembic.runtime.plugins", "urllib3", "posthog")
# At WARNING even when debugging: httpx logs request URLs, and the bot's carry its token.
SECRET_BEARING = ("httpx", "httpcore")


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    return _request_id.get()


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps `record.request_id` with the id of the request being served (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class ThirdPartyFilter(logging.Filter):
    """Lets a record of a logger outside `OWN` through only at `floor` or above, whatever level its library set."""

    def __init__(self, floor: int = logging.WARNING) -> None:
        super().__init__()
        self.floor = floor

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.floor:
            return True
        name = record.name
        return any(name == own or name.startswith(own + ".") for own in OWN)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", "request_id"?, ...fields, "exc"?}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                entry.setdefault(key, _masked(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = mask_text(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable lines for a developer's terminal, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s%(extra_fields)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.rid = f" [{request_id}]" if request_id else ""
        fields = getattr(record, "fields", None)
        record.extra_fields = (
            " " + " ".join(f"{k}={_masked(v)}" for k, v in fields.items()) if isinstance(fields, dict) else ""
        )
        return super().format(record)


def configure_logging(fmt: LogFormat = "json", level: int = logging.INFO) -> None:
    """Route every logger through one stderr handler in `fmt`, with request ids and PII masking.

    Our loggers log from `level`; third-party ones from WARNING, or from DEBUG too when `level` is DEBUG.
    """
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "bangfu", False):  # configured before: replace ours, leave others' (pytest's)
            root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.bangfu = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    debugging = level <= logging.DEBUG
    handler.addFilter(ThirdPartyFilter(logging.DEBUG if debugging else max(level, logging.WARNING)))
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.NOTSET if debugging else logging.WARNING)
    for name in SECRET_BEARING:
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn's own access log is replaced by the API's (one line per request with its id and latency).
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    install_log_masking(root)
