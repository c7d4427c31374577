"""Eligibility screening with reasons, cited clauses and the next interview question."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ServicesDep, ViewDep
from api.routes.answers import CitationOut
from api.schemas import ErrorOut

router = APIRouter(tags=["eligibility"])


class EligibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facts: dict[str, bool | int | str] = Field(
        default_factory=dict,
        max_length=40,
        description='known facts, e.g. {"household_type": "脱贫户", "age": 45}; see GET /v1/facts',
        examples=[{"household_type": "脱贫户", "age": 45}],
    )
    measure_ids: list[str] | None = Field(
        None, max_length=100, description="only these measures (default: all)"
    )


class ResultOut(BaseModel):
    measure_id: str
    name: str
    status: str = Field(description="eligible | ineligible | need_info")
    reasons: list[str]
    missing: list[str] = Field(description="facts still needed to decide")
    citations: list[CitationOut]


class OptionOut(BaseModel):
    label: str
    value: bool | int | str


class NextQuestionOut(BaseModel):
    fact: str
    question: str
    options: list[OptionOut]
    resolves: int = Field(description="how many undecided measures this answer may decide")


class EligibilityOut(BaseModel):
    results: list[ResultOut]
    next_question: NextQuestionOut | None = Field(
        None, description="ask this next; null when all are decided"
    )


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
def facts(view: ViewDep) -> dict[str, Any]:
    """Fact names, types, allowed values and the question asked for each."""
    return view.snapshot.facts
