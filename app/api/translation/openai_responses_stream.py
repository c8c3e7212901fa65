"""`POST /v1/responses` with `stream: true` ↔ the pipeline's events, in OpenAI's sequence:

    response.created, response.in_progress,
    response.output_item.added (the rs_… reasoning item),
      response.reasoning_summary_part.added, response.reasoning_summary_text.delta …,
      response.reasoning_summary_text.done, response.reasoning_summary_part.done (when a summary
      was asked for),
    response.output_item.done,
    response.output_item.added (the msg_… message), response.content_part.added,
      response.output_text.delta, response.output_text.done, response.content_part.done,
    response.output_item.done,
    response.completed (response.incomplete when no chain reached an answer), with usage.

Every event carries its `sequence_number`. The items are the non-streaming response's own models,
so what the stream assembles is exactly the non-streaming body.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import ServerSentEvent

from app.api.schemas.openai_responses import ResponseObject, ResponseReasoning, ResponseRequest
from app.api.translation.openai_responses import response_object
from app.service.events import Finished, SolveEvent, SummaryDelta
from app.service.params import Budget


async def response_events(
    events: AsyncIterator[SolveEvent], request_id: str, body: ResponseRequest, budget: Budget, model_id: str
) -> AsyncIterator[ServerSentEvent]:
    style = body.reasoning.summary if body.reasoning else None
    numbers = iter(range(1 << 62))
    rs, msg = f"rs_{request_id}", f"msg_{request_id}"

    def event(kind: str, **fields: Any) -> ServerSentEvent:
        data = json.dumps({"type": kind, "sequence_number": next(numbers), **fields})
        return ServerSentEvent(data=data, event=kind)

    started: dict[str, Any] = {
        "id": f"resp_{request_id}",
        "object": "response",
        "created_at": 0,
        "status": "in_progress",
        "model": model_id,
        "output": [],
        "reasoning": ResponseReasoning(effort=budget.effort, summary=style).model_dump(),
        "usage": None,
    }
    summary_open = False
    final: ResponseObject | None = None
    async for item in events:
        if not started["created_at"]:  # the first event: the pipeline holds a slot
            started["created_at"] = int(time.time())
            yield event("response.created", response=started)
            yield event("response.in_progress", response=started)
            yield event(
                "response.output_item.added", output_index=0, item={"id": rs, "type": "reasoning", "summary": []}
            )
        if isinstance(item, SummaryDelta) and style is not None:
            where = {"item_id": rs, "output_index": 0, "summary_index": 0}
            if not summary_open:
                summary_open = True
                yield event("response.reasoning_summary_part.added", **where, part={"type": "summary_text", "text": ""})
            yield event("response.reasoning_summary_text.delta", **where, delta=item.text)
        elif isinstance(item, Finished):
            final = response_object(body, item.outcome, budget, model_id)
    if final is None:
        return
    reasoning, message = (entry.model_dump() for entry in final.output)
    if style is not None:
        where = {"item_id": rs, "output_index": 0, "summary_index": 0}
        text = reasoning["summary"][0]["text"]
        if not summary_open:  # an empty summary still opens and closes its part
            yield event("response.reasoning_summary_part.added", **where, part={"type": "summary_text", "text": ""})
        yield event("response.reasoning_summary_text.done", **where, text=text)
        yield event("response.reasoning_summary_part.done", **where, part={"type": "summary_text", "text": text})
    yield event("response.output_item.done", output_index=0, item=reasoning)
    opened = message | {"status": "in_progress", "content": []}
    yield event("response.output_item.added", output_index=1, item=opened)
    part = message["content"][0]
    where = {"item_id": msg, "output_index": 1, "content_index": 0}
    yield event("response.content_part.added", **where, part=part | {"text": ""})
    if part["text"]:
        yield event("response.output_text.delta", **where, delta=part["text"], logprobs=[])
    yield event("response.output_text.done", **where, text=part["text"], logprobs=[])
    yield event("response.content_part.done", **where, part=part)
    yield event("response.output_item.done", output_index=1, item=message)
    done = final.model_dump() | {"created_at": started["created_at"]}
    yield event("response.completed" if final.status == "completed" else "response.incomplete", response=done)
