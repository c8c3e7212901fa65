"""The one place where errors become HTTP responses, all in one envelope."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.openai_schemas import OpenAIError, OpenAIErrorDetail
from app.api.schemas import ErrorDetail, ErrorEnvelope
from app.errors import (
    BonError,
    ConfigurationError,
    DeadlineExceeded,
    EngineError,
    EngineUnavailable,
    InvalidRequest,
    ModelNotFound,
    NotReady,
    Overloaded,
)
from app.observability import request_id_var

log = logging.getLogger(__name__)

# Most specific first: the first matching class gives the status.
STATUS_BY_ERROR: list[tuple[type[BonError], int]] = [
    (InvalidRequest, 422),
    (ModelNotFound, 404),
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


# Under /v1 the routes speak OpenAI's dialect: its error shape, and 400 for an invalid request.
OPENAI_PREFIX = "/v1/"
OPENAI_TYPES = {400: "invalid_request_error", 404: "invalid_request_error", 415: "invalid_request_error"}
OPENAI_TYPES |= {429: "rate_limit_error", 405: "invalid_request_error"}

# Documented on every OpenAI-compatible route.
OPENAI_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": OpenAIError, "description": text}
    for status, text in [
        (400, "The request is invalid or uses a parameter the service does not support."),
        (404, "No such model."),
        (415, "The body is not JSON."),
        (429, "Too many requests in flight."),
        (503, "The engines are loading, or one of them is unreachable."),
        (504, "The pipeline did not finish in time."),
        (424, "An engine failed."),
    ]
}


def status_for(exc: BonError) -> int:
    return next((status for cls, status in STATUS_BY_ERROR if isinstance(exc, cls)), 500)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    param: str | None = None,
) -> JSONResponse:
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    if request.url.path.startswith(OPENAI_PREFIX):
        status = 400 if status == 422 else status
        kind = OPENAI_TYPES.get(status, "server_error")
        body: OpenAIError | ErrorEnvelope = OpenAIError(
            error=OpenAIErrorDetail(message=message, type=kind, param=param, code=code)
        )
        return JSONResponse(body.model_dump(), status_code=status, headers=headers)
    rid = request_id_var.get()
    body = ErrorEnvelope(error=ErrorDetail(code=code, message=message, request_id=rid, details=details))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _safe_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Echo where and why, not the rejected input itself (it may be large or sensitive).
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BonError)
    async def _domain(request: Request, exc: BonError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s: %s", exc.code, exc.message)
        return error_response(request, status, exc.code, exc.message, param=exc.param)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _safe_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(request, 422, "malformed_json", "the body is not valid JSON", details)
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "body"
        return error_response(request, 422, "invalid_request", f"{where}: {first['msg']}", details, param=where)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 415: "unsupported_media_type"}
        return error_response(request, exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(
            request, 500, "internal_error", "internal error; the request id identifies it in the logs"
        )
