"""Eligibility screening: known facts in; per measure a status with reasons and citations, and the next question."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.answers import CitationOut


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


class AmountValueOut(BaseModel):
    value: float = Field(description="the number, e.g. 90 or 1.5")
    unit: str = Field(description="money per period or per thing: 元/月, 元/年, 元/学期, 万元/户, 元/人 …")
    bound: Literal["up_to", "from"] | None = Field(
        None, description='"up_to": at most this much (最多); "from": the lowest of several rates (起)'
    )


class ResultOut(BaseModel):
    measure_id: str
    name: str
    status: str = Field(description="eligible | ineligible | need_info")
    reasons: list[str]
    missing: list[str] = Field(description="facts still needed to decide")
    citations: list[CitationOut]
    amount: str | None = Field(None, description="how much the measure gives, in the catalog's own words")
    amount_value: AmountValueOut | None = Field(
        None,
        description="the amount as a number with its unit, where the catalog has one (e.g. 90 元/月); null for "
        "loans and amounts that depend on the household",
    )
    to_confirm: list[str] = Field(
        default_factory=list,
        description="conditions of the measure's basis that the office checks when the household applies and the "
        "screener does not ask (e.g. 当年连续务工满3个月，申报时交务工证明); say them beside an `eligible` result",
    )


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
