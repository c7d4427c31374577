"""The measure catalog as the API shows it: summaries for lists, the whole entry for one measure."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
    checked_on_application: list[str] = Field(
        default_factory=list,
        description="conditions the office checks when a household applies, which the eligibility check does not ask",
    )
    basis: list[BasisOut] = []
