"""Async client of the 帮扶通 HTTP API: the bot's only source of answers, screening and household data.

Every call has timeouts; a connect error or a 5xx is retried once (only a connect error for calls that change
something, so a binding attempt is never counted twice). API errors become a small hierarchy that the error
handler (`bot.flows.common.on_error`) turns into plain Chinese replies::

    api = ApiClient("http://127.0.0.1:8000", key)
    answer = await api.ask("我家房子漏雨能修吗")           # {"answer", "abstained", "citations", "measures"}
    status = await api.status(chat_user_id="42")          # NotBound when the chat user has not bound
    await api.aclose()
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

import httpx

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
RETRY_DELAY = 0.3


class ApiError(Exception):
    """Base of the errors the API client raises; `detail` is the API's plain (English) message."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class ApiUnavailable(ApiError):
    """The API cannot be reached, is too slow, or failed (5xx): try again later."""


class Unauthorized(ApiError):
    """The API refused the bot's key (a deployment problem, not the user's)."""


class NotBound(ApiError):
    """The chat user is not bound to a household (or is bound to a cadre account, see `detail`)."""


class Forbidden(ApiError):
    """The chat user may not do this (e.g. not a cadre)."""


class NotFound(ApiError):
    """No such document, measure or household (or not in the cadre's jurisdiction)."""


class InvalidInput(ApiError):
    """The API refused the input (wrong or expired code, bad phone, too long a question …)."""


class RateLimited(ApiError):
    """Too many attempts; `retry_after` seconds until the next one is accepted."""

    def __init__(self, detail: str = "", retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> int:
    try:
        return max(1, int(response.headers.get("Retry-After", "60")))
    except ValueError:
        return 60


def _error_for(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
        kind, detail = str(body.get("error", "")), str(body.get("detail", ""))
    except (ValueError, AttributeError):
        kind, detail = "", response.reason_phrase
    status = response.status_code
    if status == 401:
        return Unauthorized(detail)
    if status == 403:
        return NotBound(detail) if kind == "NotBound" else Forbidden(detail)
    if status == 404:
        return NotFound(detail)
    if status in (400, 413, 422):
        return InvalidInput(detail)
    if status == 429:
        return RateLimited(detail, _retry_after(response))
    return ApiUnavailable(f"HTTP {status}")


class ApiClient:
    """The API over HTTP with the channel key; one instance per bot process (its connection pool is lazy)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        # Created on first use inside the running event loop, so a restarted Application gets a fresh pool.
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                headers=self._headers,
                timeout=self._timeout,
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool (a later call opens a new one)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        chat_user_id: str | None = None,
        idempotent: bool = True,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> Any:
        headers = {"X-Chat-User-Id": chat_user_id} if chat_user_id else {}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            last = attempt == 2
            try:
                response = await self._http().request(
                    method, path, json=json, params=params, headers=headers, content=content
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # The request never reached the API: safe to send again, whatever it does.
                logger.warning(
                    "API %s %s: cannot connect (%s), attempt %d", method, path, type(exc).__name__, attempt
                )
                if last:
                    raise ApiUnavailable(type(exc).__name__) from None
                await asyncio.sleep(RETRY_DELAY)
                continue
            except httpx.TimeoutException as exc:
                logger.warning("API %s %s: timed out (%s)", method, path, type(exc).__name__)
                raise ApiUnavailable("timeout") from None
            except httpx.HTTPError as exc:
                logger.warning("API %s %s: %s", method, path, type(exc).__name__)
                raise ApiUnavailable(type(exc).__name__) from None
            if response.status_code >= 500:
                logger.warning("API %s %s: HTTP %d, attempt %d", method, path, response.status_code, attempt)
                if last or not idempotent:
                    raise ApiUnavailable(f"HTTP {response.status_code}")
                await asyncio.sleep(RETRY_DELAY)
                continue
            if response.status_code == 204:
                return None
            if response.is_success:
                try:
                    return response.json()
                except ValueError:
                    logger.warning("API %s %s: the response is not JSON", method, path)
                    raise ApiUnavailable("not JSON") from None
            error = _error_for(response)
            if isinstance(error, Unauthorized):
                logger.error("the API refused the bot's key: set BANGFU_API_KEY to a channel key")
            raise error
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    # -- public -------------------------------------------------------------------------------------------
    async def ask(
        self, question: str, conversation_id: str | None = None, *, chat_user_id: str | None = None
    ) -> dict[str, Any]:
        """`POST /v1/ask`: the cited answer, or the abstention, read in the chat's conversation when given; the
        chat user id lets the API file an unanswered question under the asker's village for its cadres."""
        body: dict[str, Any] = {"question": question}
        if conversation_id:
            body["conversation_id"] = conversation_id
        # Safe to repeat: a turn saved twice leaves the conversation on the same question.
        return await self._request("POST", "/v1/ask", json=body, chat_user_id=chat_user_id)

    async def document(self, doc_id: str) -> dict[str, Any]:
        """`GET /v1/documents/{doc_id}`: title, 文号, issuer, validity and full text."""
        return await self._request("GET", f"/v1/documents/{_segment(doc_id)}")

    async def measure(self, measure_id: str) -> dict[str, Any]:
        """`GET /v1/measures/{id}`: the whole catalog entry (the measure card)."""
        return await self._request("GET", f"/v1/measures/{_segment(measure_id)}")

    async def eligibility(self, facts: dict[str, Any]) -> dict[str, Any]:
        """`POST /v1/eligibility`: results so far and the next interview question."""
        return await self._request("POST", "/v1/eligibility", json={"facts": facts})

    async def feedback(
        self,
        *,
        question: str,
        helpful: bool,
        doc_ids: list[str],
        answer: str | None = None,
        chat_user_id: str | None = None,
    ) -> None:
        """`POST /v1/feedback`: record 有用/没用 on an answer (with the answer, for the cadres who review it)."""
        body: dict[str, Any] = {"question": question[:500], "helpful": helpful, "doc_ids": doc_ids[:20]}
        if answer:
            body["answer"] = answer[:2000]
        await self._request("POST", "/v1/feedback", json=body, chat_user_id=chat_user_id)

    # -- the chat user's own account ------------------------------------------------------------------------
    async def me(self, *, chat_user_id: str) -> dict[str, Any]:
        return await self._request("GET", "/v1/me", chat_user_id=chat_user_id)

    async def bind(self, *, chat_user_id: str, code: str, phone: str) -> dict[str, Any]:
        """Bind with a code and the phone of a contact the user shared as their own (channel-verified)."""
        body = {"code": code, "phone": phone, "phone_verified": True}
        return await self._request(
            "POST", "/v1/me/bind", json=body, chat_user_id=chat_user_id, idempotent=False
        )

    async def unbind(self, *, chat_user_id: str) -> dict[str, Any]:
        return await self._request("POST", "/v1/me/unbind", chat_user_id=chat_user_id, idempotent=False)

    async def status(self, *, chat_user_id: str) -> dict[str, Any]:
        return await self._request("GET", "/v1/me/status", chat_user_id=chat_user_id)

    async def me_eligibility(self, *, chat_user_id: str, facts: dict[str, Any]) -> dict[str, Any]:
        """`POST /v1/me/eligibility`: like `eligibility`, with what the bound household's record states
        filled in (`prefilled`, `prefilled_from`); NotBound for a chat user not bound to a household."""
        return await self._request(
            "POST", "/v1/me/eligibility", json={"facts": facts}, chat_user_id=chat_user_id
        )

    async def payments(self, *, chat_user_id: str, item: str | None = None) -> dict[str, Any]:
        params = {"item": item[:30]} if item else None
        return await self._request("GET", "/v1/me/payments", params=params, chat_user_id=chat_user_id)

    # -- cadres -----------------------------------------------------------------------------------------------
    async def households(self, *, chat_user_id: str, page: int = 1, page_size: int = 10) -> dict[str, Any]:
        params = {"page": page, "page_size": page_size}
        return await self._request("GET", "/v1/households", params=params, chat_user_id=chat_user_id)

    async def search_households(self, *, chat_user_id: str, query: str) -> dict[str, Any]:
        body = {"query": query[:32], "limit": 10}
        return await self._request("POST", "/v1/households/search", json=body, chat_user_id=chat_user_id)

    async def household(self, *, chat_user_id: str, household_no: str) -> dict[str, Any]:
        return await self._request(
            "GET", f"/v1/households/{_segment(household_no)}", chat_user_id=chat_user_id
        )

    async def workbench_link(self, *, chat_user_id: str) -> dict[str, Any]:
        """`POST /v1/workbench/links`: a single-use sign-in link to the county workbench (cadres)."""
        return await self._request("POST", "/v1/workbench/links", chat_user_id=chat_user_id, idempotent=False)

    async def issue_code(self, *, chat_user_id: str, household_no: str) -> dict[str, Any]:
        return await self._request(
            "POST",
            f"/v1/households/{_segment(household_no)}/codes",
            chat_user_id=chat_user_id,
            idempotent=False,
        )

    # -- hardship reports (防返贫 自主申报) -------------------------------------------------------------------
    async def villages(self, *, chat_user_id: str) -> list[dict[str, str]]:
        """`GET /v1/villages`: the county's townships and villages a report may name."""
        data = await self._request("GET", "/v1/villages", chat_user_id=chat_user_id)
        return list(data.get("villages") or [])

    async def report(self, *, chat_user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /v1/me/reports`: open a case (or merge into the open one: `merged`). Never repeated: a report
        sent twice would be merged, but the reporter would be told so."""
        return await self._request(
            "POST", "/v1/me/reports", json=body, chat_user_id=chat_user_id, idempotent=False
        )

    async def my_reports(self, *, chat_user_id: str) -> list[dict[str, Any]]:
        data = await self._request("GET", "/v1/me/reports", chat_user_id=chat_user_id)
        return list(data.get("reports") or [])

    async def report_more(self, *, chat_user_id: str, case_id: str, note: str) -> dict[str, Any]:
        """`POST /v1/me/reports/{id}/more`: answer a return; the case goes back to the step that returned it."""
        return await self._request(
            "POST",
            f"/v1/me/reports/{_segment(case_id)}/more",
            json={"note": note[:500]},
            chat_user_id=chat_user_id,
            idempotent=False,
        )

    async def attach_to_report(
        self, *, chat_user_id: str, case_id: str, data: bytes, content_type: str
    ) -> None:
        """A photo or voice note for the cadres, sent as the raw body."""
        await self._request(
            "POST",
            f"/v1/me/reports/{_segment(case_id)}/attachments",
            content=data,
            content_type=content_type,
            chat_user_id=chat_user_id,
            idempotent=False,
        )

    # -- cases, for cadres --------------------------------------------------------------------------------------
    async def cases(self, *, chat_user_id: str, queue: bool = True) -> list[dict[str, Any]]:
        """`GET /v1/cases`: the cadre's queue (what waits on them, and what is overdue below)."""
        params = {"queue": "true" if queue else "false"}
        data = await self._request("GET", "/v1/cases", params=params, chat_user_id=chat_user_id)
        return list(data.get("cases") or [])

    async def case(self, *, chat_user_id: str, case_id: str) -> dict[str, Any]:
        return await self._request("GET", f"/v1/cases/{_segment(case_id)}", chat_user_id=chat_user_id)

    async def case_action(self, *, chat_user_id: str, case_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._request(
            "POST",
            f"/v1/cases/{_segment(case_id)}/actions",
            json=body,
            chat_user_id=chat_user_id,
            idempotent=False,
        )

    # -- notifications ----------------------------------------------------------------------------------------
    async def claim_notifications(self, limit: int = 50) -> list[dict[str, Any]]:
        """What the bot should tell its chat users now (leased for a minute; acknowledge what was sent)."""
        data = await self._request("POST", "/v1/notifications/claim", json={"limit": limit}, idempotent=False)
        return list(data.get("notifications") or [])

    async def ack_notifications(self, ids: list[int]) -> None:
        if ids:
            await self._request("POST", "/v1/notifications/ack", json={"ids": ids[:100]})

    async def enqueue_digests(self) -> int:
        """Today's digests for the bound cadres (once a day, whoever asks)."""
        data = await self._request("POST", "/v1/notifications/digest")
        return int(data.get("enqueued") or 0)


def _segment(value: str) -> str:
    """One URL path segment: ids come from buttons and typed commands, so nothing may escape the path."""
    return quote(value, safe="")
