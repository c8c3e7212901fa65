"""The `/v1` routes' dialect of errors: OpenAI's `{"error": {"message", "type", "param", "code"}}`,
and 400 where the service's own routes answer 422, so OpenAI's SDKs raise what their users expect."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from app.api.schemas.openai_common import OpenAIError, OpenAIErrorDetail
from app.errors import (
    BonError,
    DeadlineExceeded,
    EngineError,
    EngineUnavailable,
    InvalidRequest,
    ModelNotFound,
    NotReady,
    Overloaded,
    RequestTooLarge,
)
from app.web.errors import ErrorReport, NotJson, Responses, documented

OPENAI_PREFIX = "/v1/"
_TYPES = {400: "invalid_request_error", 404: "invalid_request_error", 405: "invalid_request_error"}
_TYPES |= {
    401: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "rate_limit_error",
}


def openai_status(status: int) -> int:
    return 400 if status == 422 else status


def openai_responses_for(*errors: type[BonError]) -> Responses:
    """The OpenAPI `responses` of a `/v1` route that can fail with `errors`."""
    return documented(errors, OpenAIError, openai_status)


# What the OpenAI-compatible generating routes can fail with (the API key check documents its own 401).
OPENAI_ERROR_RESPONSES = openai_responses_for(
    NotJson,
    RequestTooLarge,
    InvalidRequest,
    ModelNotFound,
    Overloaded,
    NotReady,
    EngineUnavailable,
    DeadlineExceeded,
    EngineError,
)


def openai_error(report: ErrorReport) -> JSONResponse:
    status = openai_status(report.status)
    detail = OpenAIErrorDetail(
        message=report.message, type=_TYPES.get(status, "server_error"), param=report.param, code=report.code
    )
    return JSONResponse(OpenAIError(error=detail).model_dump(), status_code=status)
