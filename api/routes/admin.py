"""Administration (admin clients): API clients, cadre accounts and their binding codes, household codes."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import AdminClient, admin_actor
from api.deps import ServicesDep
from api.routes.params import CadreId, HouseholdNo
from api.schemas.admin import CadreIn, CadreList, CadreOut, ClientIn, ClientOut
from api.schemas.common import ErrorOut
from api.schemas.households import CodeOut, UnbindOut
from core.records.households import Jurisdiction

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


@router.post("/clients", response_model=ClientOut, status_code=201, summary="Register an API client")
def create_client(body: ClientIn, client: AdminClient, services: ServicesDep) -> ClientOut:
    """A new client with a role; its key is returned this once and stored only hashed."""
    created, key = services.identity.create_client(name=body.name, role=body.role)
    return ClientOut(name=created.name, role=created.role, key=key)


@router.get("/cadres", response_model=CadreList, summary="Cadre accounts")
def list_cadres(client: AdminClient, services: ServicesDep) -> CadreList:
    """Every cadre account with its jurisdiction."""
    return CadreList(cadres=[CadreOut.of(c) for c in services.identity.list_cadres()])


@router.post("/cadres", response_model=CadreOut, status_code=201, summary="Create a cadre account")
def create_cadre(body: CadreIn, client: AdminClient, services: ServicesDep) -> CadreOut:
    """A cadre account for the county, a township or a village; bind it with a cadre code."""
    jurisdiction = Jurisdiction(body.level, body.township, body.village)
    cadre = services.identity.create_cadre(
        name=body.name, phone=body.phone, jurisdiction=jurisdiction, actor=admin_actor(client)
    )
    return CadreOut.of(cadre)


@router.post(
    "/cadres/{cadre_id}/codes",
    response_model=CodeOut,
    status_code=201,
    responses={404: {"model": ErrorOut}},
    summary="Issue a cadre binding code",
)
def issue_cadre_code(cadre_id: CadreId, client: AdminClient, services: ServicesDep) -> CodeOut:
    """A single-use code with which the cadre binds their own chat account (phone must match)."""
    return CodeOut.of(services.identity.issue_cadre_code(cadre_id=cadre_id, actor=admin_actor(client)))


@router.post(
    "/cadres/{cadre_id}/deactivate",
    response_model=UnbindOut,
    responses={404: {"model": ErrorOut}},
    summary="Switch a cadre account off",
)
def deactivate_cadre(cadre_id: CadreId, client: AdminClient, services: ServicesDep) -> UnbindOut:
    """Switch the account off and unbind its chat accounts at once."""
    return UnbindOut(unbound=services.identity.deactivate_cadre(cadre_id=cadre_id, actor=admin_actor(client)))


@router.post(
    "/households/{household_no}/codes",
    response_model=CodeOut,
    status_code=201,
    responses={404: {"model": ErrorOut}},
    summary="Issue a household binding code",
)
def issue_household_code(household_no: HouseholdNo, client: AdminClient, services: ServicesDep) -> CodeOut:
    """A single-use binding code for any household (what `python -m api codes` does on the server)."""
    issued = services.identity.issue_household_code(household_no=household_no, actor=admin_actor(client))
    return CodeOut.of(issued)
