"""Models every area shares: the error body, liveness and readiness."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    error: str = Field(description="error type, e.g. NotFound, ValidationError")
    detail: str = Field(description="plain message for the caller")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    generation: str | None = None
    documents: int = 0
    chunks: int = 0
    measures: int = 0
    model_loaded: bool = False
    problems: list[str] = Field(default_factory=list, description="what is not ready, when not ready")
