"""Eligibility screening with reasons, cited clauses and the next interview question."""

from __future__ import annotations

from typing import Any, Literal

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
    label: str = Field(description="what the user sees: a button label, or a checklist item's statement")
    value: bool | int | str = Field(
        description="choice: the value to send for the question's `fact`; checklist: the item's fact name"
    )
    fact: str | None = Field(
        None,
        description="checklist only: the bool fact this item settles (equal to `value`); null for a choice",
    )


class NextQuestionOut(BaseModel):
    kind: Literal["choice", "checklist"] = Field(
        "choice",
        description='"choice": pick one option and send facts[fact] = option.value. "checklist": tick any '
        "number of items (none is a valid answer) and send facts[option.fact] = true for each ticked item "
        "and false for every other item listed",
    )
    fact: str | None = Field(description="the fact a choice asks; null for a checklist")
    facts: list[str] = Field(
        description="the facts this answer settles: [fact] for a choice, every item's fact for a checklist"
    )
    label: str = Field(description="short name of what is asked, e.g. 户类型 / 家里的情况")
    type: str = Field(description="type of the facts asked: enum | bool | int (a checklist's facts are bool)")
    question: str = Field(description="the plain question to show")
    options: list[OptionOut] = Field(
        description="choice: answer buttons (empty for an int fact the client asks as a number); "
        "checklist: the items, at most 8"
    )
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
def facts(services: ServicesDep, view: ViewDep) -> dict[str, Any]:
    """Fact names, types, allowed values and the question asked for each."""
    return services.facts(view).to_dict()
