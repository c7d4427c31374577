"""The API client (bot.api_client): errors mapped to the small hierarchy; which calls are retried."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from bot.api_client import ApiClient, ApiUnavailable, Forbidden, InvalidInput, NotBound, RateLimited


def api_with(handler: Callable[[httpx.Request], httpx.Response]) -> ApiClient:
    return ApiClient("http://api.test", "key", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (403, {"error": "NotBound", "detail": "not bound"}, {}, NotBound),
        (403, {"error": "Forbidden", "detail": "no"}, {}, Forbidden),
        (422, {"error": "InvalidInput", "detail": "bad"}, {}, InvalidInput),
        (429, {"error": "RateLimited", "detail": "wait"}, {"Retry-After": "120"}, RateLimited),
        (503, {"error": "ServiceUnavailable", "detail": "later"}, {}, ApiUnavailable),
    ],
)
def test_the_api_client_maps_errors(
    status: int, body: dict[str, str], headers: dict[str, str], error: type
) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json=body, headers=headers)

    async def run() -> None:
        api = api_with(handler)
        with pytest.raises(error) as caught:
            await api.status(chat_user_id="42")
        await api.aclose()
        if isinstance(caught.value, RateLimited):
            assert caught.value.retry_after == 120

    asyncio.run(run())
    assert calls[0].headers["Authorization"] == "Bearer key" and calls[0].headers["X-Chat-User-Id"] == "42"
    assert len(calls) == (2 if status >= 500 else 1)  # a 5xx is retried once


def test_the_api_client_retries_connect_errors_once_and_never_retries_a_bind_after_a_5xx() -> None:
    attempts: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        if len(attempts) == 1:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/v1/me/bind":
            return httpx.Response(500, json={"error": "InternalError", "detail": "x"})
        return httpx.Response(200, json={"answer": "好", "abstained": False, "citations": [], "measures": []})

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async def run() -> None:
        api = api_with(flaky)
        assert (await api.ask("问"))["answer"] == "好"
        with pytest.raises(ApiUnavailable):
            await api.bind(chat_user_id="1", code="ABCDEFGH", phone="13800000001")
        with pytest.raises(ApiUnavailable):
            await api_with(slow).ask("问")

    asyncio.run(run())
    assert attempts == ["/v1/ask", "/v1/ask", "/v1/me/bind"]
