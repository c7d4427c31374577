"""The embeddable chat widget (`GET /widget.js`) and its demo page for portal developers (`GET /`).

A portal adds the widget with one tag::

    <script src="https://api.example/widget.js" data-api-key="KEY" async></script>

Both routes are open in every environment: a `<script src>` or a page load cannot send an `X-API-Key`
header, and neither response holds any data. The widget sends its key on each API call it makes.

Keys on the demo page: in development the public endpoints work without a key, so the page loads the widget
with an empty `data-api-key` (or with `?key=` when given). In production the page loads the widget only when
the address carries `?key=<portal key>`; without it the page shows the snippet and says how to try it. A
portal key is public by nature (every embedding page prints it), so taking it from the address leaks nothing
new; the page sets `Referrer-Policy: no-referrer` so the key is not passed on to linked sites, and it never
writes the key into the page. The environment is stamped into the static page as a fixed word, never as
request data.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.deps import ServicesDep

router = APIRouter(include_in_schema=False)

# Short: a portal picks up a new widget within minutes, while a page view does not refetch it every time.
WIDGET_CACHE = "public, max-age=300"


@cache
def _asset(name: str) -> bytes:
    """A file of api/static (read once per process)."""
    return resources.files("api").joinpath("static").joinpath(name).read_bytes()


@router.get("/widget.js")
def widget() -> Response:
    """The chat widget script."""
    return Response(
        _asset("widget.js"),
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": WIDGET_CACHE, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/")
def demo_page(services: ServicesDep) -> HTMLResponse:
    """The demo page: what 帮扶通 is, the embed snippet, and the widget itself."""
    env = "production" if services.settings.is_production else "development"
    page = _asset("index.html").decode("utf-8").replace("{{ENV}}", env)
    return HTMLResponse(
        page,
        headers={
            "Cache-Control": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )
