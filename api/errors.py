"""Domain errors and bad requests → `{"error", "detail"}` JSON with a fitting status; never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import texts
from core import errors

logger = logging.getLogger(__name__)

STATUS: dict[type[errors.BangfuError], int] = {
    errors.NotFound: 404,
    errors.InvalidInput: 422,
    errors.CorpusError: 422,
    errors.ImportRejected: 422,
    errors.NotBound: 403,
    errors.Forbidden: 403,
    errors.Unauthorized: 401,
    errors.RateLimited: 429,
    errors.ServiceUnavailable: 503,
    errors.ConfigError: 500,
}


def error_body(error: str, detail: str) -> dict[str, str]:
    return {"error": error, "detail": detail}


def _status_for(exc: errors.BangfuError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the error handlers on `app`."""

    @app.exception_handler(errors.BangfuError)
    async def _domain(request: Request, exc: errors.BangfuError) -> JSONResponse:
        status = _status_for(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
        if isinstance(exc, errors.Unauthorized):
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse(error_body(type(exc).__name__, exc.detail), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("ValidationError", _validation_detail(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed", 413: "PayloadTooLarge", 400: "BadRequest"}
        return JSONResponse(
            error_body(names.get(exc.status_code, "HTTPError"), str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("InternalError", texts.INTERNAL_ERROR), status_code=500)
