"""Questions the service could not answer, for cadres and admins to review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import CadreOrAdmin
from api.deps import ServicesDep
from api.routes.params import Since
from api.schemas import ErrorOut

router = APIRouter(tags=["answers"])


class UnansweredItem(BaseModel):
    time: str
    question: str = Field(description="normalised; ID-card and phone numbers masked")
    reason: str = Field(
        description="no_match | out_of_scope (another office's business, named in the answer) | hostile"
    )


class UnansweredList(BaseModel):
    questions: list[UnansweredItem]


@router.get(
    "/v1/unanswered",
    response_model=UnansweredList,
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
    summary="Questions without an answer",
)
def unanswered(
    principal: CadreOrAdmin,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    since: Since = None,
) -> UnansweredList:
    """Questions the service abstained on, newest first (cadres and admins only)."""
    items = services.unanswered.list(limit=limit, since=since)
    return UnansweredList(questions=[UnansweredItem.model_validate(i) for i in items])
