"""Votes on answers (有用/没用) from the bot and portals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from api.auth import AskerPlace, PublicAccess
from api.deps import ServicesDep
from api.schemas import ErrorOut
from api.schemas.common import SingleLine, Text
from api.schemas.workbench import FeedbackItemOut, FeedbackList, ResolveIn, ResolveOut
from api.staff import StaffUser

router = APIRouter(tags=["answers"])

DocId = Annotated[SingleLine, StringConstraints(min_length=1, max_length=100)]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=1, max_length=500, description="the question that was answered")
    helpful: StrictBool = Field(description="true for 有用, false for 没用")
    doc_ids: list[DocId] | None = Field(None, max_length=20, description="documents the answer cited")
    answer: str | None = Field(
        None, max_length=2000, description="the answer voted on, so reviewers see what got the vote"
    )


@router.post(
    "/v1/feedback",
    status_code=204,
    response_class=Response,
    responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Was the answer useful",
)
def feedback(body: FeedbackIn, principal: PublicAccess, services: ServicesDep, place: AskerPlace) -> Response:
    """Record whether an answer helped (the question is stored with ID and phone numbers masked)."""
    services.feedback.record(
        question=body.question,
        helpful=body.helpful,
        doc_ids=body.doc_ids or [],
        client=principal.name if principal else None,
        answer=body.answer,
        where=place(),
    )
    return Response(status_code=204)


@router.get(
    "/v1/feedback",
    response_model=FeedbackList,
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
    summary="Votes on answers, for review",
)
def list_feedback(
    staff: StaffUser,
    services: ServicesDep,
    helpful: Annotated[bool | None, Query(description="false: 没用 only (default); true: 有用 only")] = False,
    open_only: Annotated[bool, Query(description="only those not yet handled")] = True,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> FeedbackList:
    """Votes with the question and the answer that got them, newest first (cadres: their jurisdiction's)."""
    items = services.feedback.review(
        scope=staff.jurisdiction, helpful=helpful, open_only=open_only, limit=limit
    )
    return FeedbackList(feedback=[FeedbackItemOut.model_validate(i, from_attributes=True) for i in items])


@router.post(
    "/v1/feedback/resolve",
    response_model=ResolveOut,
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Mark votes handled",
)
def resolve_feedback(body: ResolveIn, staff: StaffUser, services: ServicesDep) -> ResolveOut:
    """Mark 没用 votes handled (only those the caller may review)."""
    done = services.feedback.resolve(
        body.ids, scope=staff.jurisdiction, resolution=body.resolution, note=body.note, actor=staff.actor
    )
    return ResolveOut(resolved=done)
