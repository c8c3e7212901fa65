"""The `/v1` routes' dialect of errors: OpenAI's `{"error": {"message", "type", "param", "code"}}`,
and 400 where the service's own routes answer 422, so OpenAI's SDKs raise what their users expect."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from app.api.schemas.openai_common import OpenAIError, OpenAIErrorDetail
from app.web.errors import ErrorReport

OPENAI_PREFIX = "/v1/"
_TYPES = {400: "invalid_request_error", 404: "invalid_request_error", 405: "invalid_request_error"}
_TYPES |= {401: "invalid_request_error", 415: "invalid_request_error", 429: "rate_limit_error"}

# Documented on every OpenAI-compatible route.
OPENAI_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": OpenAIError, "description": text}
    for status, text in [
        (400, "The request is invalid or uses a parameter the service does not support."),
        (401, "No valid API key (when the server has keys)."),
        (404, "No such model."),
        (415, "The body is not JSON."),
        (429, "Too many requests in flight."),
        (503, "The engines are loading, or one of them is unreachable."),
        (504, "The pipeline did not finish in time."),
        (424, "An engine failed."),
    ]
}


def openai_error(report: ErrorReport) -> JSONResponse:
    status = 400 if report.status == 422 else report.status
    detail = OpenAIErrorDetail(
        message=report.message, type=_TYPES.get(status, "server_error"), param=report.param, code=report.code
    )
    return JSONResponse(OpenAIError(error=detail).model_dump(), status_code=status)
