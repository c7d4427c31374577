"""Hardship reports from chat users (防返贫 自主申报): report, follow one's reports, answer a return, withdraw,
attach photos or voice notes; and the county's list of villages to report from (channel clients only)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth import ChannelClient, ReporterDep
from api.deps import ServicesDep
from api.routes.params import CaseId
from api.routes.uploads import UPLOAD_BODY
from api.schemas.cases import (
    AttachmentOut,
    MoreIn,
    NoteIn,
    PlaceOut,
    ReportIn,
    ReportOut,
    ReportsOut,
    VillagesOut,
)
from api.schemas.common import ErrorOut
from core.errors import InvalidInput
from core.records.cases import NewReport, Reporter

router = APIRouter(
    prefix="/v1/me/reports",
    tags=["reports"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
places = APIRouter(
    prefix="/v1", tags=["reports"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
)


@router.post(
    "",
    response_model=ReportOut,
    status_code=201,
    responses={200: {"model": ReportOut, "description": "merged into the open case (`merged` is true)"}},
    summary="Report a sudden hardship",
)
def report(body: ReportIn, reporter: ReporterDep, services: ServicesDep, response: Response) -> ReportOut:
    """Open a case (201), or add to the open case of the same household and category of the last 24 hours (200,
    `merged`). A bound household reports for itself; anyone else with a phone the channel verified and a
    village from GET /v1/villages, also for a neighbour (`on_behalf`, 代报)."""
    if body.phone and not body.phone_verified:
        raise InvalidInput("the phone number must be verified by the channel (share your contact)")
    phone = body.phone if body.phone_verified else None
    receipt = services.cases.report(
        reporter=Reporter(reporter.channel, reporter.chat_user_id, reporter.household_id, phone),
        report=NewReport(
            category=body.category,
            description=body.description,
            amount_range=body.amount_range,
            urgent=body.urgent,
            on_behalf=body.on_behalf,
            township=body.township,
            village=body.village,
        ),
    )
    if receipt.merged:
        response.status_code = 200
    return ReportOut.of(receipt.case, merged=receipt.merged)


@router.get("", response_model=ReportsOut, summary="My reports")
def my_reports(reporter: ReporterDep, services: ServicesDep) -> ReportsOut:
    """The chat user's reports (and a bound household's cases), newest first, each with its steps."""
    return ReportsOut(reports=[ReportOut.of(v) for v in services.cases.my_reports(reporter=reporter)])


@router.get(
    "/{case_id}", response_model=ReportOut, responses={404: {"model": ErrorOut}}, summary="One of my reports"
)
def my_report(case_id: CaseId, reporter: ReporterDep, services: ServicesDep) -> ReportOut:
    """One report of the chat user (404 for any other)."""
    return ReportOut.of(services.cases.reporter_case(reporter=reporter, case_no=case_id))


@router.post(
    "/{case_id}/more",
    response_model=ReportOut,
    responses={404: {"model": ErrorOut}},
    summary="Send what was asked",
)
def more(case_id: CaseId, body: MoreIn, reporter: ReporterDep, services: ServicesDep) -> ReportOut:
    """Answer a return (退回补充材料): the case goes back to the step that returned it, with a new deadline."""
    return ReportOut.of(services.cases.answer_return(reporter=reporter, case_no=case_id, note=body.note))


@router.post(
    "/{case_id}/withdraw", response_model=ReportOut, responses={404: {"model": ErrorOut}}, summary="Withdraw"
)
def withdraw(case_id: CaseId, body: NoteIn, reporter: ReporterDep, services: ServicesDep) -> ReportOut:
    """Withdraw one's open report."""
    return ReportOut.of(services.cases.withdraw(reporter=reporter, case_no=case_id, note=body.note))


@router.post(
    "/{case_id}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    responses={404: {"model": ErrorOut}, 413: {"model": ErrorOut}},
    openapi_extra=UPLOAD_BODY,
    summary="Attach a photo or voice note",
)
async def attach(
    case_id: CaseId, request: Request, reporter: ReporterDep, services: ServicesDep
) -> AttachmentOut:
    """A photo (of bills, of the damage) or a voice note for the cadres, as the raw request body."""
    data = await request.body()
    stored = await run_in_threadpool(
        lambda: services.cases.attach_as_reporter(reporter=reporter, case_no=case_id, data=data)
    )
    return AttachmentOut.of(stored)


@places.get("/villages", response_model=VillagesOut, summary="The county's villages")
def villages(client: ChannelClient, services: ServicesDep) -> VillagesOut:
    """Townships and villages a report may name (from the household records)."""
    return VillagesOut(villages=[PlaceOut(township=t, village=v) for t, v in services.cases.villages()])
