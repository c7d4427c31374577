"""The API's outer layer, as one plain ASGI middleware: request id, body size limit, rate limit, metrics and
the access log.

For each HTTP request, in order:

1. a request id — the caller's `X-Request-ID` when it is a short safe token that holds nothing like an ID or
   phone number, else a new one — is set for every log line of the request and returned in the
   `X-Request-ID` response header;
2. a body over `BANGFU_MAX_BODY_BYTES` is refused with 413, by `Content-Length` before anything is read and
   by counting for chunked uploads;
3. `/v1/` calls are counted against the caller's rate limits (api.ratelimit) — 429 with `Retry-After` when
   exhausted; the key is checked once here and the result reused by the route's authorization. A key used
   from an address its client is not allowed to call from counts as no key (per-address limit) and is
   refused by the route's authorization;
4. when the response is done: request count and latency by route template (never the raw path, which may
   carry a household number), and one access-log line.

The caller's address is the connecting one, or — only when that is one of `BANGFU_TRUSTED_PROXIES` — the one
the proxies name in `X-Forwarded-For` (`api.app` puts uvicorn's proxy-headers middleware outside this one).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import texts
from api.errors import error_body
from api.metrics import Metrics
from api.ratelimit import Decision, RateLimiter
from api.routes.uploads import UPLOAD_PATH
from core.ops.logs import request_context
from core.records.identity import Client
from core.records.pii import looks_personal

logger = logging.getLogger("api.access")

_UPLOAD = re.compile(UPLOAD_PATH)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
UNKNOWN_KEY = object()  # scope state marker: a key was presented but is not valid
SESSION_COOKIE = "bangfu_wb"  # the workbench session (api/staff.py)


@dataclass(frozen=True)
class WrongAddress:
    """Scope state marker: a valid key used from an address its client may not call from."""

    client: Client


def safe_request_id(given: str) -> str | None:
    """The caller's request id when it is a short token that logs can carry as is, else None."""
    if _SAFE_ID.match(given) and not looks_personal(given):
        return given
    return None


def caller_address(scope: Scope) -> str:
    """The caller's address (already the forwarded one when the connection came from a trusted proxy)."""
    return scope["client"][0] if scope.get("client") else "unknown"


def _presented_key(headers: Headers) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, credentials = auth.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key") or None


class ApiMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        limiter: RateLimiter,
        metrics: Metrics,
        upload_bytes: int | None = None,
        large_bodies: dict[tuple[str, str], int] | None = None,
    ) -> None:
        """`upload_bytes`: the limit of a case attachment upload; `large_bodies`: (method, path) → the limit of
        another upload endpoint (the workbench's document upload) instead of `max_body_bytes`."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_bytes = max(upload_bytes or 0, max_body_bytes)
        self.limiter = limiter
        self.metrics = metrics
        self.large_bodies = dict(large_bodies or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = safe_request_id(given) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500}
        client: list[Client | None] = [None]
        extra_headers: list[tuple[bytes, bytes]] = []

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode("ascii")),
                    *extra_headers,
                ]
            await send(message)

        with request_context(request_id):
            try:
                refusal = await self._admit(scope, headers, client, extra_headers)
                if refusal is not None:
                    await self._reply(send_with_id, *refusal)
                else:
                    await self.app(scope, self._counting(receive, self._limit(scope)), send_with_id)
            finally:
                self._record(scope, status["code"], time.perf_counter() - started, client[0])

    async def _admit(
        self,
        scope: Scope,
        headers: Headers,
        client: list[Client | None],
        extra_headers: list[tuple[bytes, bytes]],
    ) -> tuple[int, dict[str, str], dict[str, str]] | None:
        """None to go on, else (status, error body, headers) to refuse with."""
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return 400, error_body("BadRequest", "invalid Content-Length"), {}
            if int(length) > (limit := self._limit(scope)):
                detail = f"request body over {limit} bytes"
                return 413, error_body("PayloadTooLarge", detail), {}
        if not scope["path"].startswith("/v1/"):
            return None
        key = _presented_key(headers)
        address = caller_address(scope)
        identity = scope["app"].state.services.identity

        session = None if key else cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)

        def look_up_and_count() -> tuple[Client | None, object, Decision]:
            """Key lookup (database) and counting (memory or Redis): blocking, so one worker-thread hop."""
            if session:
                # A workbench session counts on its own (the admin limit), so a busy page is not held to the
                # per-address limit of anonymous callers; the route reuses the lookup.
                staff = scope["app"].state.services.staff.resolve(session)
                scope["state"]["staff"] = staff
                if staff is not None:
                    return None, None, self.limiter.hit_session(staff.session_id)
            found = identity.authenticate(key) if key else None
            checked: object = found if found is not None else UNKNOWN_KEY
            if found is not None and not found.allows(address):
                # Not counted against the key: a leaked key used elsewhere must not use up its budget.
                checked, found = WrongAddress(found), None
            return found, checked, self.limiter.hit(found, address)

        principal, checked, decision = await anyio.to_thread.run_sync(look_up_and_count)
        if key:
            scope["state"]["principal"] = checked
        client[0] = principal
        extra_headers += [
            (b"x-ratelimit-limit", str(decision.limit).encode()),
            (b"x-ratelimit-remaining", str(decision.remaining).encode()),
        ]
        if decision.allowed:
            return None
        self.metrics.rate_limited.labels(role=principal.role if principal else "anonymous").inc()
        detail = texts.RATE_LIMITED.format(seconds=decision.retry_after)
        return 429, error_body("RateLimited", detail), {"Retry-After": str(decision.retry_after)}

    def _limit(self, scope: Scope) -> int:
        """The largest body this request may have: an upload's, or any other request's."""
        method, path = str(scope.get("method", "")), str(scope.get("path", ""))
        if (method, path) in self.large_bodies:
            return self.large_bodies[(method, path)]
        if method == "POST" and _UPLOAD.match(path):
            return self.upload_bytes
        return self.max_body_bytes

    def _counting(self, receive: Receive, limit: int) -> Receive:
        """Receive that refuses a chunked body once it passes the size limit."""
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"request body over {limit} bytes")
            return message

        return wrapped

    @staticmethod
    async def _reply(send: Send, status: int, body: dict[str, str], headers: dict[str, str]) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        raw = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": payload})

    def _record(self, scope: Scope, status: int, seconds: float, client: Client | None) -> None:
        route: Any = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope["method"]
        self.metrics.requests.labels(route=template, method=method, status=str(status)).inc()
        self.metrics.latency.labels(route=template, method=method).observe(seconds)
        logger.info(
            "%s %s %s",
            method,
            template,
            status,
            extra={
                "fields": {
                    "method": method,
                    "route": template,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                    "client": client.name if client else None,
                    "role": client.role if client else None,
                }
            },
        )
