"""Who is a cadre or an admin at the workbench: a browser session, an admin key, or a bot acting for a cadre.

Three ways in, one `Staff` out (core/records/staff.py: jurisdiction, audit actor):

- an admin API key (`Authorization: Bearer` / `X-API-Key`): an admin, the whole county;
- a channel key with `X-Chat-User-Id` of a chat user bound to a cadre account: that cadre;
- the workbench session cookie (HttpOnly, SameSite=Strict, Secure under HTTPS, 8 hours): the cadre or admin
  who opened a sign-in link (or signed in with an admin key). A request that changes something must also carry
  the session's CSRF token in `X-CSRF-Token`; without it: 403.

A key, when presented, decides alone; the cookie is read only when no key is. Sessions live in the database, so
signing out or an admin's revocation holds on every replica from the next request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from api.auth import CSRF_HEADER, OptionalPrincipal, get_bound, get_chat_user, session_staff, signed_in_staff
from api.deps import ServicesDep
from api.middleware import SESSION_COOKIE
from core.errors import Forbidden, Unauthorized
from core.records.cases import CaseWorker
from core.records.staff import Staff, admin_staff, cadre_staff

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "AdminStaff",
    "CadreStaff",
    "CaseWorkerDep",
    "CountyStaff",
    "StaffUser",
    "get_staff",
    "session_staff",
]


def get_staff(
    request: Request,
    principal: OptionalPrincipal,
    services: ServicesDep,
    x_chat_user_id: Annotated[
        str | None, Header(description="chat user id, when a channel acts for a cadre")
    ] = None,
) -> Staff:
    """A cadre or an admin, by key or by workbench session (with its CSRF token on changes)."""
    if principal is not None:
        if principal.role == "admin":
            return admin_staff(principal.name)
        if principal.role != "channel":
            raise Forbidden("only cadres and admins may do this")
        identity = get_bound(get_chat_user(principal, x_chat_user_id), services)
        if identity.cadre is None:
            raise Forbidden("only cadre accounts may do this")
        cadre = identity.cadre
        return cadre_staff(
            cadre.id,
            cadre.name,
            cadre.jurisdiction,
            who=identity.actor().who,
            channel=identity.channel,
        )
    staff = signed_in_staff(request, services)
    if staff is not None:
        return staff
    raise Unauthorized(
        "an admin key, a cadre's chat user id with a channel key, or a workbench session is required"
    )


StaffUser = Annotated[Staff, Depends(get_staff)]


def require_admin_staff(staff: StaffUser) -> Staff:
    if not staff.is_admin:
        raise Forbidden("only an admin may do this")
    return staff


def require_county_staff(staff: StaffUser) -> Staff:
    if not staff.county_level:
        raise Forbidden("only county-level cadres and admins may do this")
    return staff


def require_cadre_staff(staff: StaffUser) -> Staff:
    if staff.kind != "cadre":
        raise Forbidden("only cadre accounts may look up households")
    return staff


def get_case_worker(staff: StaffUser) -> CaseWorker:
    """A staff member acting on cases: an admin (the county bureau: every case, any step) or a cadre (own
    jurisdiction, the steps of their account's level)."""
    level = None if staff.is_admin else staff.jurisdiction.level
    return CaseWorker(actor=staff.actor, jurisdiction=staff.jurisdiction, level=level)


CaseWorkerDep = Annotated[CaseWorker, Depends(get_case_worker)]
AdminStaff = Annotated[Staff, Depends(require_admin_staff)]
CountyStaff = Annotated[Staff, Depends(require_county_staff)]
CadreStaff = Annotated[Staff, Depends(require_cadre_staff)]
