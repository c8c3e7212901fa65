"""The one place where errors become HTTP responses, for both apps.

Domain errors (`app.errors`) carry their meaning; here each gets its status. A response's body is
the service's envelope, `{"error": {"code", "message", "request_id"}}`, unless a dialect claims
the path (the API's `/v1/` routes speak OpenAI's).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import (
    BonError,
    DeadlineExceeded,
    EngineError,
    EngineUnavailable,
    Forbidden,
    InvalidRequest,
    ModelNotFound,
    NoRecord,
    NotReady,
    Overloaded,
    RateLimited,
    RequestBusy,
    RequestExpired,
    StoreUnavailable,
    Unauthenticated,
    UnknownRequest,
)
from app.web.request_id import request_id_var

log = logging.getLogger(__name__)

# Most specific first: the first matching class gives the status.
STATUS_BY_ERROR: list[tuple[type[BonError], int]] = [
    (InvalidRequest, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NoRecord, 404),
    (StoreUnavailable, 503),
    (ModelNotFound, 404),
    (UnknownRequest, 404),
    (RequestExpired, 410),
    (RequestBusy, 409),
    (Overloaded, 429),
    (NotReady, 503),
    (EngineUnavailable, 503),
    (DeadlineExceeded, 504),
    (EngineError, 424),
]
RETRYABLE = (429, 503)  # answered with Retry-After
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 415: "unsupported_media_type"}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="What went wrong, for a person.")
    request_id: str | None = Field(default=None, description="Identifies the request in the logs.")
    details: list[dict[str, Any]] | None = Field(default=None, description="Per-field validation errors.")


class ErrorEnvelope(BaseModel):
    error: ErrorDetail = Field(description="What went wrong.")


# Documented on every route of the service's own dialect that can fail.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in [
        (401, "No valid API key (when the server has keys)."),
        (415, "The body is not JSON."),
        (422, "The request is invalid (bad field, empty or too long problem, unknown method)."),
        (429, "Too many requests in flight."),
        (503, "The engines are loading, or one of them is unreachable."),
        (504, "The pipeline did not finish in time."),
        (424, "An engine failed."),
    ]
}


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """An error on its way out, before a dialect gives it a body."""

    status: int
    code: str
    message: str
    details: list[dict[str, Any]] | None = None
    param: str | None = None  # the request parameter at fault
    headers: dict[str, str] | None = None  # e.g. a rate limit's Retry-After and x-ratelimit-*


Dialect = Callable[[ErrorReport], JSONResponse]


def _headers(exc: BonError) -> dict[str, str] | None:
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(max(1, math.ceil(exc.retry_after_s))), **exc.headers}
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    return None


def status_for(exc: BonError) -> int:
    return next((status for cls, status in STATUS_BY_ERROR if isinstance(exc, cls)), 500)


def report_for(exc: BaseException) -> ErrorReport:
    """An error raised after a stream began, reported as the handlers would have answered it."""
    if isinstance(exc, BonError):
        return ErrorReport(status_for(exc), exc.code, exc.message, param=exc.param)
    log.error("unexpected error mid-stream", exc_info=exc)
    return ErrorReport(500, "internal_error", "internal error; the request id identifies it in the logs")


def envelope(report: ErrorReport) -> JSONResponse:
    """The service's own dialect."""
    detail = ErrorDetail(
        code=report.code, message=report.message, request_id=request_id_var.get(), details=report.details
    )
    return JSONResponse(ErrorEnvelope(error=detail).model_dump(exclude_none=True), status_code=report.status)


def _safe_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Echo where and why, not the rejected input itself (it may be large or sensitive).
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]


def report_validation(exc: RequestValidationError) -> ErrorReport:
    details = _safe_details(exc)
    if any(d["type"] == "json_invalid" for d in details):
        return ErrorReport(422, "malformed_json", "the body is not valid JSON", details)
    first = details[0] if details else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"] if p != "body") or "body"
    return ErrorReport(422, "invalid_request", f"{where}: {first['msg']}", details, param=where)


def install_error_handlers(
    app: FastAPI, dialects: Mapping[str, Dialect] | None = None
) -> Callable[[Request, ErrorReport], JSONResponse]:
    """Map every error to a response; `dialects` maps a path prefix to the body shape it speaks.
    Returns how an error is answered, for a middleware that refuses a request itself."""
    by_prefix = dict(dialects or {})

    def respond(request: Request, report: ErrorReport) -> JSONResponse:
        dialect = next((d for prefix, d in by_prefix.items() if request.url.path.startswith(prefix)), envelope)
        response = dialect(report)
        if report.status in RETRYABLE:
            response.headers["Retry-After"] = "1"
        response.headers.update(report.headers or {})
        return response

    @app.exception_handler(BonError)
    async def _domain(request: Request, exc: BonError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s: %s", exc.code, exc.message)
        return respond(request, ErrorReport(status, exc.code, exc.message, param=exc.param, headers=_headers(exc)))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return respond(request, report_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return respond(request, ErrorReport(exc.status_code, code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return respond(
            request, ErrorReport(500, "internal_error", "internal error; the request id identifies it in the logs")
        )

    return respond
