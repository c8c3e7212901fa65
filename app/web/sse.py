"""Server-sent events on top of sse-starlette, for every streaming route.

A stream is primed before the response starts: whatever the pipeline refuses up front (a bad
request, no free slot, engines loading) is still an HTTP error status, not a 200 that fails.
After that, a failure is an `error` event in the route's own error dialect and the stream ends.
Closing the connection cancels the task that reads the pipeline, which stops its chains.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any, TypeVar

from sse_starlette import EventSourceResponse, ServerSentEvent

from app.web.errors import Dialect, report_for

T = TypeVar("T")
Frame = ServerSentEvent | dict[str, Any] | str

# The content a streaming route documents for its 200 in openapi.json: the schema of one event
# (OpenAPI 3.2's reading of text/event-stream, which Schemathesis checks every event against).
EVENT_STREAM = {
    "text/event-stream": {
        "schema": {
            "type": "object",
            "description": "One server-sent event; `data` holds its JSON (or `[DONE]` at the end of a chat stream).",
            "properties": {
                "event": {"type": "string", "description": "The event's kind, where the API names one."},
                "data": {"type": "string", "description": "The event's JSON."},
                "id": {"type": "string"},
                "retry": {"type": "integer"},
            },
            "required": ["data"],
        }
    }
}


async def primed(events: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
    """`events` with its first item already taken, so errors before it raise here."""
    first = await anext(events)

    async def replay() -> AsyncGenerator[T, None]:
        try:
            yield first
            async for event in events:
                yield event
        finally:
            await events.aclose()

    return replay()


def event_stream(
    frames: AsyncIterator[Frame], dialect: Dialect, error_frame: Callable[[bytes], Frame] | None = None
) -> EventSourceResponse:
    """The response for `frames`; a failure mid-stream becomes one last frame holding the error
    as `dialect` words it (by default an `error` event)."""

    async def guarded() -> AsyncIterator[Frame]:
        try:
            async for frame in frames:
                yield frame
        except Exception as exc:  # the status line is gone: the error travels as an event
            body = dialect(report_for(exc)).body
            data = bytes(body)
            yield error_frame(data) if error_frame else ServerSentEvent(data=data.decode(), event="error")

    return EventSourceResponse(guarded(), ping=15, send_timeout=30)


def data_only(error: bytes) -> Frame:
    """OpenAI's streams carry errors as a plain `data:` frame holding the error object."""
    return ServerSentEvent(data=error.decode())
