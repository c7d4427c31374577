"""Votes on answers (有用/没用) from the bot and portals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from api.auth import PublicAccess
from api.deps import ServicesDep
from api.schemas import ErrorOut
from api.schemas.common import SingleLine, Text

router = APIRouter(tags=["answers"])

DocId = Annotated[SingleLine, StringConstraints(min_length=1, max_length=100)]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=1, max_length=500, description="the question that was answered")
    helpful: StrictBool = Field(description="true for 有用, false for 没用")
    doc_ids: list[DocId] | None = Field(None, max_length=20, description="documents the answer cited")


@router.post(
    "/v1/feedback",
    status_code=204,
    response_class=Response,
    responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Was the answer useful",
)
def feedback(body: FeedbackIn, principal: PublicAccess, services: ServicesDep) -> Response:
    """Record whether an answer helped (the question is stored with ID and phone numbers masked)."""
    services.feedback.record(
        question=body.question,
        helpful=body.helpful,
        doc_ids=body.doc_ids or [],
        client=principal.name if principal else None,
    )
    return Response(status_code=204)
