"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import OptionalPrincipal, require_admin
from api.deps import ServicesDep
from api.schemas import ErrorOut, Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}}, summary="Readiness")
def readyz(services: ServicesDep) -> JSONResponse:
    """Ready when a generation with documents is loaded, the embedding model is available and the stores answer."""
    problems = [p for p in (services.db.ping(), services.store.ping()) if p]
    view = services.knowledge.current() if services.knowledge.ready() else None
    if view is None:
        problems.append("knowledge: no generation loaded (run `python -m ingest`)")
    elif not view.snapshot.documents:
        # An emptied library abstains on every question: a balancer must not send traffic here.
        problems.append(
            f"knowledge: generation {view.generation} holds no documents (ingest a policies folder: "
            "`python -m ingest PATH`)"
        )
    if problems or view is None:
        body = Readiness(status="not ready", generation=view.generation if view else None, problems=problems)
        return JSONResponse(body.model_dump(), status_code=503)
    services.embedder  # noqa: B018 - loads the model if it is not loaded yet
    body = Readiness(
        status="ready",
        generation=view.generation,
        documents=len(view.snapshot.documents),
        chunks=len(view.chunks),
        measures=len(services.catalog(view)),
        model_loaded=services.embedder_loaded,
    )
    return JSONResponse(body.model_dump())


def require_metrics_reader(principal: OptionalPrincipal, services: ServicesDep) -> None:
    """Open in development; an admin key in production (portal keys are public, in web pages)."""
    if not services.settings.is_production:
        return
    require_admin(principal)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    dependencies=[Depends(require_metrics_reader)],
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition format"},
        401: {"model": ErrorOut, "description": "production: an admin key is required"},
        403: {"model": ErrorOut, "description": "production: the key is not an admin key"},
    },
)
def metrics(request: Request, services: ServicesDep) -> Response:
    """Request counts and latencies per route, answers and abstentions, 429s, the knowledge generation served."""
    m = request.app.state.metrics
    if services.knowledge.ready():
        view = services.knowledge.current()
        m.generation.clear()
        m.generation.labels(generation=view.generation).set(1)
        m.documents.set(len(view.snapshot.documents))
        m.chunks.set(len(view.chunks))
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)
