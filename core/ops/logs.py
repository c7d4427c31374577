"""Structured logs: one JSON object per line, the request id of the request being served, numbers masked.

    configure_logging("json")          # entrypoints call this once
    with request_context("3f2a…"):     # the API's middleware sets the id for a request
        logger.info("answered", extra={"fields": {"abstained": False}})

Every record passes `core.records.pii.PiiLogFilter` first, so ID-card and mobile numbers are masked whatever logged
them. Extra structured fields go under `extra={"fields": {...}}` and are masked too.
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

NOISY = ("httpx", "httpcore", "chromadb", "jieba", "alembic.runtime.plugins", "urllib3")


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
    """Route every logger through one stderr handler in `fmt`, with request ids and PII masking."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "bangfu", False):  # configured before: replace ours, leave others' (pytest's)
            root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.bangfu = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn's own access log is replaced by the API's (one line per request with its id and latency).
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    install_log_masking(root)
