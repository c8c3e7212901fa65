"""A cap on request bodies: one over the limit is answered 413 before it is read whole.

A declared `Content-Length` over the limit is refused before a byte of the body is read; a body
sent without one (chunked) is counted as it arrives and refused once it passes the limit. What
the app would have answered to a body it never got whole is dropped: the refusal is the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import RequestTooLarge
from app.web.errors import ErrorReport, failure_of

Respond = Callable[[Request, ErrorReport], JSONResponse]


class BodyLimit:
    """ASGI middleware: not Starlette's `BaseHTTPMiddleware`, which would read the body itself."""

    def __init__(self, app: ASGIApp, max_bytes: int, respond: Respond) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send, f"the body ({declared} bytes)")
            return
        seen = 0
        over = False
        answered = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise RequestTooLarge(self._message("the body"))
            return message

        async def guarded(message: Message) -> None:
            nonlocal answered
            if over:  # the app's answer to a body it never got whole: the refusal goes instead
                return
            answered = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over or answered:
                raise
        if over and not answered:
            await self._refuse(scope, receive, send, "the body")

    def _message(self, what: str) -> str:
        return f"{what} is over the {self.max_bytes} bytes this server accepts (BON_MAX_REQUEST_BYTES)"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, what: str) -> None:
        report = ErrorReport(failure_of(RequestTooLarge).status, RequestTooLarge.code, self._message(what))
        response = self.respond(Request(scope), report)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
