"""The one place where errors become HTTP responses, for both apps.

Domain errors (`app.errors`) carry their meaning; here each gets its status, and the description
the OpenAPI docs give it, in one table that both the handlers and every route's docs are built
from. A response's body is the service's envelope, `{"error": {"code", "message", "request_id"}}`,
unless a dialect claims the path (the API's `/v1/` routes speak OpenAI's).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import (
    BonError,
    ContextRefused,
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
    RequestTooLarge,
    StoreUnavailable,
    Unauthenticated,
    UnknownRequest,
)
from app.web.request_id import request_id_var

log = logging.getLogger(__name__)


# The framework's own refusals, as errors so that the table below holds them too.
class NotJson(BonError):
    """The body is not sent as JSON."""

    code = "unsupported_media_type"


class NoSuchPath(BonError):
    code = "not_found"


class MethodNotAllowed(BonError):
    code = "method_not_allowed"


@dataclass(frozen=True, slots=True)
class Failure:
    """How an error is answered: its status, and what the docs say of it (true of every way it arises)."""

    status: int
    description: str


# Most specific first: the first class an error is an instance of answers it. A validation error
# of the body or a parameter is answered as an `InvalidRequest`.
FAILURES: dict[type[BonError], Failure] = {
    NotJson: Failure(415, "The body is not sent as JSON (Content-Type: application/json)."),
    RequestTooLarge: Failure(413, "The body is larger than the server accepts (BON_MAX_REQUEST_BYTES)."),
    NoSuchPath: Failure(404, "No such path."),
    MethodNotAllowed: Failure(405, "The path does not take this method."),
    InvalidRequest: Failure(
        422,
        "The request is invalid: malformed JSON, or a field missing, out of range or not supported "
        "(a problem too long for the models among them); the message says which.",
    ),
    Unauthenticated: Failure(
        401, "No valid key was sent: an admin key on /admin routes, elsewhere an API key where the server has keys."
    ),
    Forbidden: Failure(
        403, "Only an admin key (BON_ADMIN_KEYS) reads the audit store: the key sent is not one, or there are none."
    ),
    NoRecord: Failure(404, "The audit store holds no record of this request id."),
    StoreUnavailable: Failure(503, "The audit store is off (BON_TRACE_DB=none), or cannot be read or written now."),
    ModelNotFound: Failure(404, "No such model: the service serves the one GET /v1/models lists."),
    UnknownRequest: Failure(
        404, "No answer with this request id is kept here for this key (none are where BON_CONTINUE_TTL_S is 0)."
    ),
    RequestExpired: Failure(
        410, "The answer is no longer kept: its time to be continued (BON_CONTINUE_TTL_S) ran out."
    ),
    RequestBusy: Failure(409, "The request is being continued already."),
    ContextRefused: Failure(
        409,
        "The request cannot read a note now: it has answered (continue it with the note), or its chains take none "
        "(a step-level search, or a format with no note template).",
    ),
    Overloaded: Failure(
        429,
        "Overloaded: the admission queue is full or a wait in it ran out, or the key's rate limit is spent "
        "(see Retry-After).",
    ),
    NotReady: Failure(503, "The models are still loading (GET /ready tells when they are up)."),
    EngineUnavailable: Failure(
        503, "An engine cannot serve the request now: it is down, timed out, or does not serve the model asked for."
    ),
    DeadlineExceeded: Failure(504, "The pipeline did not finish in time."),
    EngineError: Failure(424, "An engine failed."),
}
_BY_HTTP_STATUS = {FAILURES[cls].status: cls for cls in (NotJson, NoSuchPath, MethodNotAllowed)}
RETRYABLE = (429, 503)  # answered with Retry-After


def failure_of(error: type[BonError]) -> Failure:
    """The row of the table that answers `error` (a `BonError` outside it is an internal error)."""
    return next((f for cls, f in FAILURES.items() if issubclass(error, cls)), Failure(500, "Internal error."))


def status_for(exc: BonError) -> int:
    return failure_of(type(exc)).status


Responses = dict[int | str, dict[str, Any]]


def documented(errors: Iterable[type[BonError]], model: type[BaseModel], status: Callable[[int], int]) -> Responses:
    """A route's OpenAPI `responses` when it can fail with `errors`, bodies shaped as `model` and
    statuses as `status` answers them: an entry a status, describing every error that has it."""
    texts: dict[int, list[str]] = {}
    for error in errors:
        failure = failure_of(error)
        texts.setdefault(status(failure.status), []).append(failure.description)
    return {code: {"model": model, "description": " ".join(text)} for code, text in texts.items()}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="What went wrong, for a person.")
    request_id: str | None = Field(default=None, description="Identifies the request in the logs.")
    details: list[dict[str, Any]] | None = Field(default=None, description="Per-field validation errors.")


class ErrorEnvelope(BaseModel):
    error: ErrorDetail = Field(description="What went wrong.")


def responses_for(*errors: type[BonError]) -> Responses:
    """The OpenAPI `responses` of a route of the service's own dialect that can fail with `errors`."""
    return documented(errors, ErrorEnvelope, lambda status: status)


# What the service's own solving routes can fail with (the API key check documents its own 401).
ERROR_RESPONSES = responses_for(
    NotJson, RequestTooLarge, InvalidRequest, Overloaded, NotReady, EngineUnavailable, DeadlineExceeded, EngineError
)


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
        error = _BY_HTTP_STATUS.get(exc.status_code)
        code = error.code if error is not None else "http_error"
        return respond(request, ErrorReport(exc.status_code, code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return respond(
            request, ErrorReport(500, "internal_error", "internal error; the request id identifies it in the logs")
        )

    return respond
