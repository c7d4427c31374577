"""The API's outer layer, as one plain ASGI middleware: request id, body size limit, rate limit, metrics and
the access log.

For each HTTP request, in order:

1. a request id — the caller's `X-Request-ID` when it is a short safe token, else a new one — is set for
   every log line of the request and returned in the `X-Request-ID` response header;
2. a body over `BANGFU_MAX_BODY_BYTES` is refused with 413, by `Content-Length` before anything is read and
   by counting for chunked uploads;
3. `/v1/` calls are counted against the caller's rate limits (api.ratelimit) — 429 with `Retry-After` when
   exhausted; the key is checked once here and the result reused by the route's authorization;
4. when the response is done: request count and latency by route template (never the raw path, which may
   carry a household number), and one access-log line.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import texts
from api.errors import error_body
from api.metrics import Metrics
from api.ratelimit import Decision, RateLimiter
from core.ops.logs import request_context
from core.records.identity import Client

logger = logging.getLogger("api.access")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
UNKNOWN_KEY = object()  # scope state marker: a key was presented but is not valid


def _presented_key(headers: Headers) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, credentials = auth.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key") or None


class ApiMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, limiter: RateLimiter, metrics: Metrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.limiter = limiter
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
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
                    await self.app(scope, self._counting(receive), send_with_id)
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
            if int(length) > self.max_body_bytes:
                detail = f"request body over {self.max_body_bytes} bytes"
                return 413, error_body("PayloadTooLarge", detail), {}
        if not scope["path"].startswith("/v1/"):
            return None
        key = _presented_key(headers)
        address = scope["client"][0] if scope.get("client") else "unknown"
        identity = scope["app"].state.services.identity

        def look_up_and_count() -> tuple[Client | None, Decision]:
            """Key lookup (database) and counting (memory or Redis): blocking, so one worker-thread hop."""
            found = identity.authenticate(key) if key else None
            return found, self.limiter.hit(found, address)

        principal, decision = await anyio.to_thread.run_sync(look_up_and_count)
        if key:
            scope["state"]["principal"] = principal if principal is not None else UNKNOWN_KEY
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

    def _counting(self, receive: Receive) -> Receive:
        """Receive that refuses a chunked body once it passes the size limit."""
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise HTTPException(413, f"request body over {self.max_body_bytes} bytes")
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
