"""The measure catalog."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.deps import ViewDep
from api.schemas import ErrorOut, MeasureDetail, MeasureList, MeasureSummary
from core.errors import NotFound

router = APIRouter(prefix="/v1/measures", tags=["measures"])


@router.get("", response_model=MeasureList, summary="List support measures")
def list_measures(
    view: ViewDep,
    category: str | None = Query(None, max_length=20, description="only this category, e.g. 住房安全"),
) -> MeasureList:
    """Every support measure in the catalog (id, name, category, who it is for)."""
    items = [m for m in view.snapshot.catalog if category is None or m.get("category") == category]
    return MeasureList(measures=[MeasureSummary.model_validate(m) for m in items])


@router.get(
    "/{measure_id}",
    response_model=MeasureDetail,
    responses={404: {"model": ErrorOut}},
    summary="One support measure, whole",
)
def get_measure(measure_id: str, view: ViewDep) -> dict[str, Any]:
    """A measure with its rule, amounts, how to apply, materials, office and basis."""
    for m in view.snapshot.catalog:
        if m.get("id") == measure_id:
            return m
    raise NotFound(f"no measure with id {measure_id!r}")
