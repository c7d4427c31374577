"""Eligibility screening with reasons, cited clauses and the next interview question."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ServicesDep, ViewDep
from api.schemas.common import ErrorOut
from api.schemas.eligibility import EligibilityIn, EligibilityOut

router = APIRouter(tags=["eligibility"])


@router.post(
    "/v1/eligibility",
    response_model=EligibilityOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def screen(body: EligibilityIn, services: ServicesDep, view: ViewDep) -> dict[str, Any]:
    """Screen facts against the measures' rules: eligible, ineligible or what is still needed, with reasons."""
    result = services.eligibility(view).screen(body.facts, body.measure_ids)
    return result.to_dict()


@router.get("/v1/facts", summary="Facts the screener understands")
def facts(services: ServicesDep, view: ViewDep) -> dict[str, Any]:
    """Fact names, types, allowed values and the question asked for each."""
    return services.facts(view).to_dict()
