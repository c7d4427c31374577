"""Response and request models: they are the OpenAPI contract portal developers read."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorOut(BaseModel):
    error: str = Field(description="error type, e.g. NotFound, ValidationError")
    detail: str = Field(description="plain message for the caller")


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    doc_number: str | None = Field(None, description="文号, e.g. 青政办〔2023〕12号")
    source: str = Field(description="file path relative to the ingested folder")
    issuer: str | None = None
    issued: date | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    region: str | None = None
    category: str | None = None
    in_force: bool = Field(description="applies today and has not been superseded")
    supersedes: str | None = None
    superseded_by: str | None = Field(None, description="doc_id of the newer version, if any")


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class DocumentDetail(DocumentSummary):
    text: str = Field(description="the full extracted text that citations quote verbatim")


class MeasureSummary(BaseModel):
    id: str
    name: str
    category: str
    target_groups: list[str] = []
    summary: str | None = None
    amount: str | None = None


class MeasureList(BaseModel):
    measures: list[MeasureSummary]


class BasisOut(BaseModel):
    doc_id: str
    article: str | None = None
    quote: str | None = None


class MeasureDetail(BaseModel):
    """The whole catalog entry of a support measure."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    category: str
    target_groups: list[str] = []
    summary: str | None = None
    eligibility: dict[str, Any] | None = None
    benefit: str | None = None
    amount: str | None = None
    how_to_apply: list[str] = []
    materials: list[str] = []
    department: str | None = None
    contact: str | None = None
    time_limit: str | None = None
    basis: list[BasisOut] = []


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
