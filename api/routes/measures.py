"""The measure catalog."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.deps import ServicesDep, ViewDep
from api.routes.params import MeasureId
from api.schemas import ErrorOut, MeasureDetail, MeasureList, MeasureSummary
from core.eligibility.catalog import Catalog
from core.errors import NotFound

router = APIRouter(prefix="/v1/measures", tags=["measures"])


@router.get("", response_model=MeasureList, summary="List support measures")
def list_measures(
    services: ServicesDep,
    view: ViewDep,
    category: str | None = Query(None, max_length=20, description="only this category, e.g. 住房安全"),
) -> MeasureList:
    """Every support measure in the catalog (id, name, category, who it is for)."""
    items = [m for m in services.catalog(view) if category is None or m.category == category]
    return MeasureList(measures=[MeasureSummary.model_validate(Catalog.to_public_dict(m)) for m in items])


@router.get(
    "/{measure_id}",
    response_model=MeasureDetail,
    responses={404: {"model": ErrorOut}},
    summary="One support measure, whole",
)
def get_measure(measure_id: MeasureId, services: ServicesDep, view: ViewDep) -> dict[str, Any]:
    """A measure with its rule, amounts, how to apply, materials, office and basis."""
    catalog = services.catalog(view)
    if measure_id not in catalog:
        raise NotFound(f"no measure with id {measure_id!r}")
    return Catalog.to_public_dict(catalog.get(measure_id))
