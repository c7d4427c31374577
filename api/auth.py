"""Who is calling: API keys and roles, the chat user a channel acts for, and what that user is bound to.

Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Roles: `portal` (public endpoints only),
`channel` (a bot; acts for its own chat users, named by `X-Chat-User-Id`), `admin`. Cadres are chat users of
a channel whose account is bound to a cadre account. In development public endpoints are open without a key;
in production every endpoint needs one. A client limited to some addresses (`allow_from`) is refused (403)
from any other. What each kind of key is trusted for is the README's "Security model". The workbench's session
cookie (api/staff.py) is read only when no key is presented; a change made with it needs its CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import ServicesDep
from api.middleware import SESSION_COOKIE, UNKNOWN_KEY, WrongAddress, caller_address
from core.errors import Forbidden, InvalidInput, NotBound, Unauthorized
from core.records.audit import Actor
from core.records.cases import Reporter
from core.records.households import Jurisdiction
from core.records.identity import ChatIdentity, Client
from core.records.staff import Staff, StaffSessions

Principal = Client

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")
_CHAT_USER_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_principal(
    request: Request,
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal | None:
    """The client whose key is presented; None without a key; Unauthorized for a wrong key."""
    key = bearer.credentials if bearer else api_key
    if not key:
        return None
    checked = getattr(request.state, "principal", None)  # the middleware already looked the key up
    if checked is None:
        checked = services.identity.authenticate(key) or UNKNOWN_KEY
        if isinstance(checked, Client) and not checked.allows(caller_address(request.scope)):
            checked = WrongAddress(checked)
    if checked is UNKNOWN_KEY:
        raise Unauthorized("the API key is not valid")
    if isinstance(checked, WrongAddress):
        raise Forbidden("this API key may not be used from this address")
    assert isinstance(checked, Client)
    return checked


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


def require_public(principal: OptionalPrincipal, services: ServicesDep) -> Principal | None:
    """Any client; in development also no key at all."""
    if principal is None and services.settings.is_production:
        raise Unauthorized("an API key is required")
    return principal


def require_channel(principal: OptionalPrincipal) -> Principal:
    """A channel client (a bot)."""
    if principal is None:
        raise Unauthorized("a channel API key is required")
    if principal.role != "channel":
        raise Forbidden("only a channel client may act for chat users")
    return principal


def require_admin(principal: OptionalPrincipal) -> Principal:
    """An admin client."""
    if principal is None:
        raise Unauthorized("an admin API key is required")
    if principal.role != "admin":
        raise Forbidden("only an admin client may do this")
    return principal


PublicAccess = Annotated[Principal | None, Depends(require_public)]
ChannelClient = Annotated[Principal, Depends(require_channel)]
AdminClient = Annotated[Principal, Depends(require_admin)]


@dataclass(frozen=True)
class ChatUserRef:
    """A chat user of the calling channel: bindings are per channel, so a bot can speak only for its own users."""

    channel: str
    chat_user_id: str


def get_chat_user(
    client: ChannelClient,
    x_chat_user_id: Annotated[
        str | None, Header(description="the channel's id of the chat user it acts for (Telegram user id)")
    ] = None,
) -> ChatUserRef:
    if not x_chat_user_id:
        raise InvalidInput("the X-Chat-User-Id header is required")
    if not _CHAT_USER_ID.match(x_chat_user_id):
        raise InvalidInput("X-Chat-User-Id has 1–64 letters, digits or _.:@-")
    return ChatUserRef(channel=client.name, chat_user_id=x_chat_user_id)


ChannelUser = Annotated[ChatUserRef, Depends(get_chat_user)]


def get_bound(user: ChannelUser, services: ServicesDep) -> ChatIdentity:
    identity = services.identity.resolve(channel=user.channel, chat_user_id=user.chat_user_id)
    if identity is None:
        raise NotBound("this chat account is not bound; bind it with the code from your cadre")
    return identity


BoundUser = Annotated[ChatIdentity, Depends(get_bound)]


def get_household_user(identity: BoundUser) -> ChatIdentity:
    if identity.household_id is None:
        raise NotBound("this chat account is bound to a cadre account, not to a household")
    return identity


def get_cadre_user(identity: BoundUser) -> ChatIdentity:
    if identity.cadre is None:
        raise Forbidden("only cadre accounts may look up households")
    return identity


HouseholdUser = Annotated[ChatIdentity, Depends(get_household_user)]
CadreUser = Annotated[ChatIdentity, Depends(get_cadre_user)]


def admin_actor(client: Principal) -> Actor:
    return Actor(role="admin", who=f"admin:{client.name}", channel="api")


def asker_place(
    principal: OptionalPrincipal,
    services: ServicesDep,
    x_chat_user_id: Annotated[
        str | None,
        Header(
            description="a channel's chat user who asks (optional): their household's village, or their cadre "
            "account's area, goes with an unanswered question or a vote so that area's cadres review it"
        ),
    ] = None,
) -> Callable[[], Jurisdiction | None]:
    """Where the asking chat user is bound (a channel's own chat users only), looked up only when needed (an
    answered question needs no lookup); None for everyone else."""
    if principal is None or principal.role != "channel" or not x_chat_user_id:
        return lambda: None
    if not _CHAT_USER_ID.match(x_chat_user_id):
        raise InvalidInput("X-Chat-User-Id has 1–64 letters, digits or _.:@-")
    channel, chat_user_id = principal.name, x_chat_user_id
    return cache(lambda: services.identity.place(channel=channel, chat_user_id=chat_user_id))


AskerPlace = Annotated[Callable[[], Jurisdiction | None], Depends(asker_place)]


def session_staff(request: Request, sessions: StaffSessions) -> Staff | None:
    """The staff member of the request's session cookie (looked up once per request), or None."""
    state = request.scope.setdefault("state", {})
    if "staff" in state:
        return state["staff"]
    token = request.cookies.get(SESSION_COOKIE)
    staff = sessions.resolve(token) if token else None
    state["staff"] = staff
    return staff


def signed_in_staff(request: Request, services: ServicesDep) -> Staff | None:
    """The cadre or admin of the workbench session cookie, None without the cookie; a request that changes
    something must carry the session's CSRF token in `X-CSRF-Token`. Read only when no key is presented."""
    if not request.cookies.get(SESSION_COOKIE):
        return None
    staff = session_staff(request, services.staff)
    if staff is None:
        raise Unauthorized("the workbench session has ended; sign in again")
    if request.method not in SAFE_METHODS and not StaffSessions.csrf_matches(
        staff, request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden("the CSRF token is missing or wrong; reload the workbench")
    return staff


def get_reporter(user: ChannelUser, services: ServicesDep) -> Reporter:
    """A chat user reporting or following reports: a bound household, or an unbound chat user (not a cadre)."""
    identity = services.identity.resolve(channel=user.channel, chat_user_id=user.chat_user_id)
    if identity is not None and identity.cadre is not None:
        raise Forbidden("a cadre account works on cases through /v1/cases")
    household_id = identity.household_id if identity is not None else None
    return Reporter(channel=user.channel, chat_user_id=user.chat_user_id, household_id=household_id)


ReporterDep = Annotated[Reporter, Depends(get_reporter)]
