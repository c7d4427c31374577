"""`create_app(...)`: the FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors
from api.auth import require_public
from api.ingest_worker import IngestWorkerLauncher
from api.metrics import Metrics
from api.middleware import ApiMiddleware
from api.ratelimit import RateLimiter
from api.routes import (
    admin,
    answers,
    cases,
    curated,
    docs,
    documents,
    eligibility,
    health,
    households,
    library,
    me,
    measures,
    notifications,
    openai_compat,
    portal,
    reports,
    unanswered,
    workbench,
)
from api.routes.feedback import router as feedback_router
from api.schemas.common import ErrorOut
from core.services import Services, build_services
from core.settings import Settings

logger = logging.getLogger(__name__)

DESCRIPTION = """
帮扶通 answers villagers' and cadres' questions about rural support policy (巩固拓展脱贫攻坚成果、防止返贫监测和帮扶)
with citations to the exact clause, screens eligibility for support measures, and shows a bound household its own
aid status. Errors are JSON `{"error": "<Type>", "detail": "<plain message>"}`.
"""


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# Every /v1 endpoint may answer these; documented once so clients and contract tests know the shapes.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("malformed request"),
    401: _error("no API key, or a key that is not valid"),
    403: _error("the key's role may not do this"),
    413: _error("request body too large"),
    422: _error("invalid input, with a plain message"),
    429: _error("too many requests: wait for the seconds in Retry-After"),
    503: _error("not ready: the knowledge base is not loaded yet"),
}


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """Build the API; `services` may be given (tests), else they are built from `settings` at startup."""
    settings = settings or (services.settings if services else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        app.state.services = services or build_services(settings)
        app.state.ingest_worker = IngestWorkerLauncher(app.state.services.settings)
        if (
            app.state.services.library.pending()
        ):  # jobs queued before a restart, or on a replica that went away
            app.state.ingest_worker.start()
        try:
            yield
        finally:
            if own:
                app.state.services.close()

    # fastapi-offline mounts its bundled Swagger UI and ReDoc assets; api.routes.docs serves the two pages.
    app = FastAPIOffline(
        docs_url=None,
        redoc_url=None,
        static_url=docs.DOCS_ASSETS,
        title="帮扶通 API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "documents", "description": "policy documents and their full text"},
            {"name": "measures", "description": "the catalog of support measures"},
            {"name": "answers", "description": "questions answered with citations; ranked passages"},
            {"name": "eligibility", "description": "who can get which measure, with reasons"},
            {"name": "health", "description": "liveness and readiness"},
            {"name": "me", "description": "a chat user's binding and own household status"},
            {"name": "households", "description": "households in a bound cadre's jurisdiction"},
            {
                "name": "reports",
                "description": "a chat user's hardship reports (防返贫 自主申报) and their steps",
            },
            {
                "name": "cases",
                "description": "reports worked as cases by cadres of the jurisdiction and admins",
            },
            {"name": "notifications", "description": "what a channel should tell its chat users about cases"},
            {"name": "admin", "description": "API clients, cadre accounts and binding codes (admin key)"},
            {"name": "openai", "description": "OpenAI-compatible chat and models, answered from policies"},
            {
                "name": "workbench",
                "description": "the county workbench: sign-in links, sessions, audit export",
            },
        ],
    )
    if services is not None:
        app.state.services = services
        app.state.ingest_worker = IngestWorkerLauncher(services.settings)
    app.state.metrics = Metrics()
    errors.install(app)

    # Innermost: JSON, the widget and the docs travel compressed to phones on slow networks (never SSE streams).
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    # Outermost last: CORS answers preflights and decorates every response, the 429s and 413s included.
    app.add_middleware(
        ApiMiddleware,
        max_body_bytes=settings.max_body_bytes,
        # Attachments are larger than any JSON body: their routes refuse what is over the attachment limit with a
        # plain 422; this only stops a body far over it before it is read.
        upload_bytes=2 * settings.case_attachment_max_bytes,
        limiter=RateLimiter(settings),
        metrics=app.state.metrics,
        # a document upload: the file's limit and room for the multipart envelope
        large_bodies={("POST", "/v1/documents"): settings.upload_max_bytes + 64 * 1024},
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],  # the workbench is same-origin only: no PUT/DELETE from portals
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"],
            max_age=600,
        )

    if settings.trusted_proxies:
        # Outermost: the rate limits and the clients' allowed addresses see the caller a trusted proxy names.
        # Nobody else's X-Forwarded-For counts (`python -m api` switches uvicorn's own handling off).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    app.include_router(health.router)
    app.include_router(docs.router)
    public = [Depends(require_public)]
    common = COMMON_ERRORS
    app.include_router(documents.router, dependencies=public, responses=common)
    app.include_router(measures.router, dependencies=public, responses=common)
    app.include_router(answers.router, dependencies=public, responses=common)
    app.include_router(eligibility.router, dependencies=public, responses=common)
    app.include_router(unanswered.router, responses=common)
    app.include_router(feedback_router, responses=common)
    app.include_router(me.router, responses=common)
    app.include_router(households.router, responses=common)
    app.include_router(reports.router, responses=common)
    app.include_router(reports.places, responses=common)
    app.include_router(cases.router, responses=common)
    app.include_router(notifications.router, responses=common)
    app.include_router(admin.router, responses=common)
    app.include_router(openai_compat.router, responses=common)
    app.include_router(curated.router, responses=common)
    app.include_router(library.router, responses=common)
    app.include_router(workbench.api_router, responses=common)
    app.include_router(portal.router)
    app.include_router(workbench.router)
    return app
