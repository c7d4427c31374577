"""The interactive API docs, Swagger UI (`GET /docs`) and ReDoc (`GET /redoc`), that work without internet.

Their scripts and styles are the ones bundled in the `fastapi-offline` package, which `create_app` mounts at
`DOCS_ASSETS`; the pages themselves are FastAPI's, pointed at those copies. ReDoc still puts a Redocly logo from
its CDN in the sidebar, so both pages carry a Content-Security-Policy that lets the browser load nothing from
any other host: on an offline county network nothing waits for a host it cannot reach, and online nothing
tells a third party who reads the docs. Open in every environment, like FastAPI's default docs.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

DOCS_ASSETS = "/docs-assets"

# Inline code is FastAPI's page set-up (no request data goes into it); ReDoc starts a worker from a blob.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)


def _headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json, from the bundled assets."""
    app, root = request.app, _root(request)
    page = get_swagger_ui_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
        # validatorUrl None: never send the spec to the online validator.
        swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
    )
    page.headers.update(_headers())
    return page


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json, from the bundled assets and without web fonts."""
    app, root = request.app, _root(request)
    page = get_redoc_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
        with_google_fonts=False,
    )
    page.headers.update(_headers())
    return page
