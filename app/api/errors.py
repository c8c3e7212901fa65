"""The one place where errors become HTTP responses, all in one envelope."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.schemas import ErrorDetail, ErrorEnvelope
from app.errors import (
    BonError,
    ConfigurationError,
    DeadlineExceeded,
    EngineError,
    EngineUnavailable,
    InvalidRequest,
    NotReady,
    Overloaded,
)
from app.observability import request_id_var

log = logging.getLogger(__name__)

# Most specific first: the first matching class gives the status.
STATUS_BY_ERROR: list[tuple[type[BonError], int]] = [
    (InvalidRequest, 422),
    (Overloaded, 429),
    (NotReady, 503),
    (EngineUnavailable, 503),
    (DeadlineExceeded, 504),
    (EngineError, 424),
    (ConfigurationError, 500),
]

# Documented on every route that can fail.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in [
        (415, "The body is not JSON."),
        (422, "The request is invalid (bad field, empty or too long problem, unknown method)."),
        (429, "Too many requests in flight."),
        (503, "The engines are loading, or one of them is unreachable."),
        (504, "The pipeline did not finish in time."),
        (424, "An engine failed."),
    ]
}


def status_for(exc: BonError) -> int:
    return next((status for cls, status in STATUS_BY_ERROR if isinstance(exc, cls)), 500)


def error_response(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> JSONResponse:
    rid = request_id_var.get()
    body = ErrorEnvelope(error=ErrorDetail(code=code, message=message, request_id=rid, details=details))
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _safe_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Echo where and why, not the rejected input itself (it may be large or sensitive).
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BonError)
    async def _domain(_: Request, exc: BonError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s: %s", exc.code, exc.message)
        return error_response(status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _safe_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(422, "malformed_json", "the body is not valid JSON", details)
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "body"
        return error_response(422, "invalid_request", f"{where}: {first['msg']}", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 415: "unsupported_media_type"}
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(500, "internal_error", "internal error; the request id identifies it in the logs")
