"""The county workbench in a browser: sign-in without passwords, the page, sign-out, sessions, audit export.

Signing in: a cadre sends `/workbench` to the bot; the bot asks `POST /v1/workbench/links` (its channel key and
the cadre's chat user id) for a single-use link valid for 10 minutes. Opening the link shows a page that posts
the token back (so a chat app fetching the link for a preview does not use it up); the post starts a session
(core/records/staff.py) and sets the session cookie: HttpOnly, SameSite=Strict, Secure under HTTPS, 8 hours.
An admin may instead type an admin API key into the sign-in page (a double-submitted token guards that form).
The page itself (api/static/workbench/) is plain HTML and a dependency-free script that calls only the API.
"""

from __future__ import annotations

import argparse
import html
import io
import secrets
from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import texts
from api.auth import OptionalPrincipal, get_bound, get_chat_user
from api.dates import cli_day
from api.deps import ServicesDep
from api.schemas import ErrorOut
from api.schemas.workbench import LinkOut, MeOut, SessionList, SessionOut
from api.staff import SESSION_COOKIE, AdminStaff, CountyStaff, StaffUser, session_staff
from core.errors import Forbidden, InvalidInput, Unauthorized
from core.records import audit
from core.records.staff import SESSION_TTL, OpenedSession

router = APIRouter(include_in_schema=False)
api_router = APIRouter(
    tags=["workbench"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)

PRE_COOKIE = "bangfu_wb_pre"  # the sign-in form's double-submitted token
ASSETS = {
    "app.js": "application/javascript; charset=utf-8",
    "texts.js": "application/javascript; charset=utf-8",
    "cases.js": "application/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "signin.js": "application/javascript; charset=utf-8",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@cache
def _asset(name: str) -> bytes:
    return resources.files("api").joinpath("static", "workbench", name).read_bytes()


def _page(name: str, status: int = 200, **values: str) -> HTMLResponse:
    text = _asset(name).decode("utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return HTMLResponse(
        text,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": CSP,
            # same-origin: the sign-in forms post with their Origin (no-referrer would send "null"); other sites
            # never see the sign-in page's address, which holds the link's token
            "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
        },
    )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _cross_site(request: Request, services: ServicesDep) -> bool:
    """A sign-in form posted from another site's page (a browser names the page's origin): refused, so nobody is
    signed in to a session of someone else's choosing."""
    origin = request.headers.get("origin")
    if not origin:
        return False
    own = {f"{request.url.scheme}://{request.url.netloc}"}
    if services.settings.public_url:
        public = urlsplit(services.settings.public_url)
        own.add(f"{public.scheme}://{public.netloc}")
    return origin not in own


def _signed_in(request: Request, opened: OpenedSession) -> Response:
    response = RedirectResponse("/workbench", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        secure=_secure(request),
        samesite="strict",
    )
    response.delete_cookie(PRE_COOKIE, path="/workbench")
    response.headers["Cache-Control"] = "no-store"
    return response


def _signin_page(request: Request, message: str = "", status: int = 200) -> HTMLResponse:
    pre = secrets.token_urlsafe(24)
    page = _page("signin.html", status, PRE=pre, MESSAGE=message)
    page.set_cookie(
        PRE_COOKIE,
        pre,
        max_age=900,
        path="/workbench",
        httponly=True,
        secure=_secure(request),
        samesite="strict",
    )
    return page


@router.get("/workbench")
def workbench(request: Request, services: ServicesDep) -> Response:
    """The workbench for a signed-in cadre or admin; the sign-in page for anyone else."""
    if session_staff(request, services.staff) is None:
        return _signin_page(request)
    return _page("app.html")


@router.get("/workbench/{name}")
def asset(name: str, request: Request, services: ServicesDep, token: str = "") -> Response:
    """The page's script and style; `signin?token=…` is the page a sign-in link opens."""
    if name == "signin":
        if not token or len(token) > 100:
            return _signin_page(request, texts.SIGNIN_LINK_INCOMPLETE, 400)
        return _page("redeem.html", TOKEN=token)
    if name not in ASSETS:
        return Response(status_code=404)
    return Response(
        _asset(name),
        media_type=ASSETS[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.post("/workbench/signin")
def signin(request: Request, services: ServicesDep, token: Annotated[str, Form(max_length=100)]) -> Response:
    """Use a sign-in link's token: a new session, or the sign-in page saying why not."""
    if _cross_site(request, services):
        return _signin_page(request, texts.SIGNIN_OTHER_SITE, 403)
    try:
        opened = services.staff.redeem_link(token)
    except Unauthorized:
        return _signin_page(request, texts.SIGNIN_LINK_USED, 401)
    return _signed_in(request, opened)


@router.post("/workbench/key")
def signin_with_key(
    request: Request,
    services: ServicesDep,
    key: Annotated[str, Form(max_length=200)],
    pre: Annotated[str, Form(max_length=100)],
) -> Response:
    """An admin signs in with an admin API key (the form's token must match its cookie)."""
    if _cross_site(request, services):
        return _signin_page(request, texts.SIGNIN_FORM_EXPIRED, 403)
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, pre):
        return _signin_page(request, texts.SIGNIN_FORM_EXPIRED, 403)
    client = services.identity.authenticate(key.strip())
    if client is None or client.role != "admin":
        return _signin_page(request, texts.SIGNIN_NOT_ADMIN_KEY, 401)
    return _signed_in(request, services.staff.open_for_admin(client.name))


@api_router.get("/v1/workbench/me", response_model=MeOut, summary="Who is signed in")
def me(staff: StaffUser) -> MeOut:
    """The signed-in cadre or admin, their area, and the CSRF token the page sends with changes."""
    return MeOut(
        kind="admin" if staff.is_admin else "cadre",
        name=staff.name,
        area=staff.jurisdiction.label(),
        level=staff.jurisdiction.level,
        county_level=staff.county_level,
        csrf=staff.csrf,
    )


@api_router.post("/v1/workbench/signout", status_code=204, response_class=Response, summary="Sign out")
def signout(request: Request, staff: StaffUser, services: ServicesDep) -> Response:
    """End this browser's session (its CSRF token is required) and clear the cookie."""
    if staff.session_id is None:
        raise InvalidInput("only a workbench session can sign out")
    services.staff.revoke(session_id=staff.session_id, actor=staff.actor)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=_secure(request), samesite="strict"
    )
    return response


@api_router.post("/v1/workbench/links", response_model=LinkOut, status_code=201, summary="A sign-in link")
def link(
    request: Request,
    principal: OptionalPrincipal,
    services: ServicesDep,
    x_chat_user_id: Annotated[
        str | None, Header(description="the cadre's chat user id (channel key)")
    ] = None,
) -> LinkOut:
    """A single-use sign-in link (10 minutes) for the cadre a bot acts for (channel key + X-Chat-User-Id), or
    for the admin whose key is presented."""
    if principal is None:
        raise Unauthorized("a channel key with a cadre's chat user id, or an admin key, is required")
    if principal.role == "admin":
        issued = services.staff.issue_link(admin=principal.name)
    elif principal.role == "channel":
        identity = get_bound(get_chat_user(principal, x_chat_user_id), services)
        if identity.cadre is None:
            raise Forbidden("only cadre accounts can use the workbench")
        issued = services.staff.issue_link(cadre_id=identity.cadre.id)
    else:
        raise Forbidden("only cadres and admins can use the workbench")
    base = (services.settings.public_url or str(request.base_url)).rstrip("/")
    return LinkOut(url=f"{base}/workbench/signin?token={issued.token}", expires_at=issued.expires_at)


@api_router.get("/v1/admin/sessions", response_model=SessionList, summary="Workbench sessions")
def sessions(staff: AdminStaff, services: ServicesDep) -> SessionList:
    """Live workbench sessions, newest first (admin)."""
    return SessionList(
        sessions=[SessionOut.model_validate(s, from_attributes=True) for s in services.staff.list_sessions()]
    )


@api_router.post(
    "/v1/admin/sessions/{session_id}/revoke",
    status_code=204,
    response_class=Response,
    summary="End a session",
)
def revoke(session_id: int, staff: AdminStaff, services: ServicesDep) -> Response:
    """End a workbench session at once, on every replica (admin)."""
    if not 1 <= session_id < 2**31:
        raise InvalidInput("no such session id")
    services.staff.revoke(session_id=session_id, actor=staff.actor)
    return Response(status_code=204)


@api_router.get(
    "/v1/audit",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the audit log as CSV"}},
    summary="Export the audit log",
)
def audit_export(
    staff: CountyStaff,
    services: ServicesDep,
    since: Annotated[str, Query(max_length=10, description="today, yesterday or YYYY-MM-DD (UTC)")] = "today",
    until: Annotated[str | None, Query(max_length=10, description="exclusive end day")] = None,
) -> Response:
    """Who read which household, when and how, as CSV (county-level cadres and admins); the export is audited."""
    try:
        start = cli_day(since)
        end = cli_day(until) if until else None
    except argparse.ArgumentTypeError as exc:
        raise InvalidInput(str(exc)) from None
    out = io.StringIO()
    count = audit.export_csv(services.db, since=start, until=end, out=out)
    with services.db.session() as session:
        audit.record(session, actor=staff.actor, action="audit_export", detail=f"since={start} rows={count}")
    name = f"audit-{start.isoformat()}-{(end or date.today()).isoformat()}.csv"
    return Response(
        out.getvalue().encode("utf-8-sig"),  # with a BOM, so a spreadsheet on a county PC reads the Chinese
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
