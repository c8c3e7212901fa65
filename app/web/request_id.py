"""The request id: taken from the caller's X-Request-ID (the API forwards its own to the reward
worker, so one id follows a request across services) or made here, echoed in the response, and
carried by every log line."""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

HEADER = "X-Request-ID"
MAX_LENGTH = 64  # a caller's id goes into logs and headers: bounded

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# Which API key asked (its id, never the key; "-" where the API is open): set by app/web/api_keys.py.
key_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("key_id", default="-")


def install_request_id(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = (request.headers.get(HEADER) or uuid.uuid4().hex[:16])[:MAX_LENGTH]
        token = request_id_var.set(rid)
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.key_id = key_id_var.get()
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s %(key_id)s] %(name)s: %(message)s")
    )
    root = logging.getLogger("app")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = True
