"""`POST /solve` with `stream: true` ↔ the pipeline's events, as server-sent events: `progress`,
`summary`, then `result` holding exactly the non-streaming body."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sse_starlette import ServerSentEvent

from app.api.schemas.native import ProgressEvent, SummaryEvent
from app.api.translation.fields import copy_fields
from app.api.translation.native import solve_response
from app.service.events import Finished, Progress, SolveEvent


def progress_out(p: Progress) -> ProgressEvent:
    return copy_fields(ProgressEvent, p, elapsed_ms=1000 * p.elapsed_s)


async def solve_events(events: AsyncIterator[SolveEvent]) -> AsyncIterator[ServerSentEvent]:
    async for event in events:
        if isinstance(event, Progress):
            yield ServerSentEvent(data=progress_out(event).model_dump_json(), event="progress")
        elif isinstance(event, Finished):
            yield ServerSentEvent(data=solve_response(event.outcome).model_dump_json(), event="result")
        else:
            yield ServerSentEvent(data=SummaryEvent(delta=event.text).model_dump_json(), event="summary")
