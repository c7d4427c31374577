"""Households for cadres: list and search in their jurisdiction, view one, issue binding codes, unbind.

A cadre is a bot's chat user bound to a cadre account, or a cadre signed in at the workbench (api/staff.py);
every read is audit-logged with who read it and through which channel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ServicesDep
from api.routes.params import PLAIN_TEXT_PATTERN, HouseholdNo
from api.schemas.common import ErrorOut
from api.schemas.households import (
    CodeOut,
    HouseholdOut,
    HouseholdPageOut,
    HouseholdSearchOut,
    HouseholdStatusOut,
    RiskLevel,
    SearchIn,
    UnbindOut,
)
from api.staff import CadreStaff

router = APIRouter(
    prefix="/v1/households",
    tags=["households"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


@router.get("", response_model=HouseholdPageOut, summary="Households in my jurisdiction")
def list_households(
    user: CadreStaff,
    services: ServicesDep,
    township: Annotated[
        str | None, Query(max_length=50, pattern=PLAIN_TEXT_PATTERN, description="乡镇")
    ] = None,
    village: Annotated[
        str | None, Query(max_length=50, pattern=PLAIN_TEXT_PATTERN, description="行政村")
    ] = None,
    household_type: Annotated[
        str | None, Query(max_length=10, pattern=PLAIN_TEXT_PATTERN, description="户类型")
    ] = None,
    risk_level: Annotated[RiskLevel | None, Query(description="风险等级")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> HouseholdPageOut:
    """The households the cadre looks after, by 户编号, optionally narrowed."""
    result = services.households.list_households(
        jurisdiction=user.jurisdiction,
        actor=user.actor,
        page=page,
        page_size=page_size,
        township=township,
        village=village,
        household_type=household_type,
        risk_level=risk_level,
    )
    return HouseholdPageOut(
        items=[HouseholdOut.of(s) for s in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
    )


@router.post("/search", response_model=HouseholdSearchOut, summary="Search households in my jurisdiction")
def search(body: SearchIn, user: CadreStaff, services: ServicesDep) -> HouseholdSearchOut:
    """By 户编号, a member's name, or the last four characters of an ID number (sent in the body, not the URL)."""
    items = services.households.search(
        jurisdiction=user.jurisdiction, actor=user.actor, query=body.query, limit=body.limit
    )
    return HouseholdSearchOut(items=[HouseholdOut.of(s) for s in items])


@router.get(
    "/{household_no}",
    response_model=HouseholdStatusOut,
    responses={404: {"model": ErrorOut}},
    summary="One household of my jurisdiction",
)
def view(household_no: HouseholdNo, user: CadreStaff, services: ServicesDep) -> HouseholdStatusOut:
    """The whole record of one household the cadre looks after (404 for any other)."""
    status = services.households.view(
        household_no=household_no, jurisdiction=user.jurisdiction, actor=user.actor
    )
    return HouseholdStatusOut.of(status)


@router.post(
    "/{household_no}/codes",
    response_model=CodeOut,
    status_code=201,
    responses={404: {"model": ErrorOut}},
    summary="Issue a binding code",
)
def issue_code(household_no: HouseholdNo, user: CadreStaff, services: ServicesDep) -> CodeOut:
    """A single-use code, valid 72 hours, with which a member of the household binds their chat account."""
    issued = services.identity.issue_household_code(
        household_no=household_no, actor=user.actor, jurisdiction=user.jurisdiction
    )
    return CodeOut.of(issued)


@router.post(
    "/{household_no}/unbind",
    response_model=UnbindOut,
    responses={404: {"model": ErrorOut}},
    summary="Unbind the household's chat accounts",
)
def unbind(household_no: HouseholdNo, user: CadreStaff, services: ServicesDep) -> UnbindOut:
    """Unbind every chat account bound to the household and cancel its unused codes."""
    count = services.identity.unbind_household(
        household_no=household_no, actor=user.actor, jurisdiction=user.jurisdiction
    )
    return UnbindOut(unbound=count)
