"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServicesDep
from api.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}}, summary="Readiness")
def readyz(services: ServicesDep) -> JSONResponse:
    """Ready when a knowledge generation is loaded and the embedding model is available."""
    if not services.knowledge.ready():
        return JSONResponse(Readiness(status="not ready").model_dump(), status_code=503)
    view = services.knowledge.current()
    services.embedder  # noqa: B018 - loads the model if it is not loaded yet
    body = Readiness(
        status="ready",
        generation=view.generation,
        documents=len(view.snapshot.documents),
        chunks=len(view.chunks),
        measures=len(view.snapshot.catalog),
        model_loaded=services.embedder_loaded,
    )
    return JSONResponse(body.model_dump())
