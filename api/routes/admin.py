"""Administration (admin clients): API clients, cadre accounts and their binding codes, household codes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth import AdminClient, admin_actor
from api.deps import ServicesDep
from api.routes.params import CadreId, HouseholdNo
from api.schemas.admin import (
    CLIENT_NAME,
    CadreIn,
    CadreList,
    CadreOut,
    ClientIn,
    ClientInfoOut,
    ClientList,
    ClientOut,
    RotatedOut,
    RotateIn,
)
from api.schemas.common import ErrorOut
from api.schemas.households import CodeOut, UnbindOut
from core.records.households import Jurisdiction

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


ClientName = Annotated[str, Path(min_length=1, max_length=50, pattern=CLIENT_NAME)]


@router.get("/clients", response_model=ClientList, summary="API clients")
def list_clients(client: AdminClient, services: ServicesDep) -> ClientList:
    """Every client with its role, status, creation and last use (to the minute); never a key."""
    listed = services.identity.list_clients(actor=admin_actor(client))
    return ClientList(clients=[ClientInfoOut.of(c) for c in listed])


@router.post("/clients", response_model=ClientOut, status_code=201, summary="Register an API client")
def create_client(body: ClientIn, client: AdminClient, services: ServicesDep) -> ClientOut:
    """A new client with a role; its key is returned this once and stored only hashed."""
    created, key = services.identity.create_client(
        name=body.name, role=body.role, allow_from=body.allow_from, actor=admin_actor(client)
    )
    return ClientOut(name=created.name, role=created.role, key=key, allow_from=list(created.allow_from))


@router.post(
    "/clients/{name}/revoke",
    response_model=ClientInfoOut,
    responses={404: {"model": ErrorOut}},
    summary="Revoke an API client",
)
def revoke_client(name: ClientName, client: AdminClient, services: ServicesDep) -> ClientInfoOut:
    """Refuse the client's keys from the next request on, on every replica."""
    return ClientInfoOut.of(services.identity.revoke_client(name=name, actor=admin_actor(client)))


@router.post(
    "/clients/{name}/rotate",
    response_model=RotatedOut,
    responses={404: {"model": ErrorOut}},
    summary="Rotate an API client's key",
)
def rotate_client(
    name: ClientName, client: AdminClient, services: ServicesDep, body: RotateIn | None = None
) -> RotatedOut:
    """A new key, returned this once; the old key stays valid for the grace period, then is refused."""
    rotated = services.identity.rotate_client(
        name=name, actor=admin_actor(client), grace_hours=body.grace_hours if body else None
    )
    return RotatedOut(
        name=rotated.client.name,
        role=rotated.client.role,
        key=rotated.key,
        old_key_valid_until=rotated.old_key_valid_until,
    )


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
