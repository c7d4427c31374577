"""Questions the service could not answer, for cadres and admins to review: grouped, and marked when handled.

A cadre sees what the bound users of their own jurisdiction asked; county cadres and admins see everything,
including what unbound villagers and portals asked (core/records/review.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ServicesDep
from api.routes.params import Since
from api.schemas import ErrorOut
from api.schemas.workbench import ResolveIn, ResolveOut, UnansweredGroup, UnansweredItem, UnansweredList
from api.staff import StaffUser
from core.records.names import mask_names

router = APIRouter(tags=["answers"])


@router.get(
    "/v1/unanswered",
    response_model=UnansweredList,
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
    summary="Questions without an answer",
)
def unanswered(
    staff: StaffUser,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    since: Since = None,
) -> UnansweredList:
    """Questions the service abstained on, newest first, and the open ones grouped by similarity (cadres and
    admins only; a cadre sees their own jurisdiction's)."""
    scope = staff.jurisdiction
    items = services.unanswered.list(limit=limit, since=since, scope=scope)
    groups = services.unanswered.groups(scope=scope, since=since)
    return UnansweredList(
        questions=[
            UnansweredItem.model_validate({**i, "question": mask_names(i["question"])}) for i in items
        ],
        groups=[UnansweredGroup.model_validate(g, from_attributes=True) for g in groups],
    )


@router.post(
    "/v1/unanswered/resolve",
    response_model=ResolveOut,
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Mark unanswered questions handled",
)
def resolve_unanswered(body: ResolveIn, staff: StaffUser, services: ServicesDep) -> ResolveOut:
    """Mark questions answered by a curated answer, another office's business, or dismissed (only those the caller
    may review are marked)."""
    done = services.unanswered.resolve(
        body.ids, scope=staff.jurisdiction, resolution=body.resolution, note=body.note, actor=staff.actor
    )
    return ResolveOut(resolved=done)
