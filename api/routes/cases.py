"""Cases for cadres (a channel acting for a bound cadre, or the cadre's workbench session: own jurisdiction, own
level) and admins (a key or a workbench session: the whole county): the list and queue, one case, the steps,
attachments. Every read and action is audit-logged by the case store."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.routes.params import PLAIN_TEXT_PATTERN, AttachmentId, CaseId
from api.routes.uploads import UPLOAD_BODY
from api.schemas.cases import ActionIn, AttachmentOut, CaseDetailOut, CaseListOut, CaseOut, CaseStatus
from api.schemas.common import ErrorOut
from api.staff import CaseWorkerDep

router = APIRouter(
    prefix="/v1/cases",
    tags=["cases"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


@router.get("", response_model=CaseListOut, summary="Cases of my jurisdiction")
def list_cases(
    worker: CaseWorkerDep,
    services: ServicesDep,
    status: Annotated[CaseStatus | None, Query(description="only cases in this status")] = None,
    overdue: Annotated[
        bool | None, Query(description="only cases past (true) or within (false) their deadline")
    ] = None,
    village: Annotated[
        str | None, Query(max_length=50, pattern=PLAIN_TEXT_PATTERN, description="行政村")
    ] = None,
    queue: Annotated[
        bool, Query(description="only what waits on my level, and what is overdue at the level below")
    ] = False,
) -> CaseListOut:
    """Cases in the cadre's jurisdiction (an admin: the county), nearest deadline first."""
    cases = services.cases.list_cases(
        worker=worker, status=status.value if status else None, overdue=overdue, village=village, queue=queue
    )
    return CaseListOut(cases=[CaseOut.of(v) for v in cases])


@router.get(
    "/{case_id}", response_model=CaseDetailOut, responses={404: {"model": ErrorOut}}, summary="One case"
)
def case(case_id: CaseId, worker: CaseWorkerDep, services: ServicesDep) -> CaseDetailOut:
    """The whole case with its history and attachments (404 outside the jurisdiction)."""
    return CaseDetailOut.of(services.cases.case(worker=worker, case_no=case_id))


@router.post(
    "/{case_id}/actions",
    response_model=CaseDetailOut,
    responses={404: {"model": ErrorOut}},
    summary="Take a step",
)
def act(case_id: CaseId, body: ActionIn, worker: CaseWorkerDep, services: ServicesDep) -> CaseDetailOut:
    """Verify, review, decide, reject, return, withdraw, note or link (see the action enum); the reporter and
    the next level are notified."""
    view = services.cases.act(
        worker=worker,
        case_no=case_id,
        action=body.action.value,
        note=body.note,
        monitoring_type=body.monitoring_type,
        risk_level=body.risk_level,
        household_no=body.household_no,
    )
    return CaseDetailOut.of(view)


@router.post(
    "/{case_id}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    responses={404: {"model": ErrorOut}, 413: {"model": ErrorOut}},
    openapi_extra=UPLOAD_BODY,
    summary="Attach a photo",
)
async def attach(
    case_id: CaseId, request: Request, worker: CaseWorkerDep, services: ServicesDep
) -> AttachmentOut:
    """A photo (e.g. of the home visit) as the raw request body."""
    data = await request.body()
    stored = await run_in_threadpool(lambda: services.cases.attach(worker=worker, case_no=case_id, data=data))
    return AttachmentOut.of(stored)


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/*": {}, "audio/ogg": {}}, "description": "the file"},
        404: {"model": ErrorOut},
    },
    summary="Download an attachment",
)
def attachment(
    case_id: CaseId, attachment_id: AttachmentId, worker: CaseWorkerDep, services: ServicesDep
) -> Response:
    """An attachment of a case in the jurisdiction, never cached by a shared cache."""
    kind, data = services.cases.attachment(worker=worker, case_no=case_id, attachment_id=attachment_id)
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(content=data, media_type=kind, headers=headers)
