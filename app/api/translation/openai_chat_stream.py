"""`POST /v1/chat/completions` with `stream: true` ↔ the pipeline's events, as OpenAI's
`chat.completion.chunk`s: the role, the summary in `delta.reasoning` (the field vLLM's server
streams reasoning in; here a summary, never a chain), the answer in `delta.content`, the finish
with the verification, a usage chunk with no choices when asked for, then `[DONE]`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from app.api.schemas.openai_chat import ChatCompletionChunk, ChunkChoice, ChunkDelta
from app.api.translation.openai_chat import chat_usage, finish_reason, verification
from app.service.events import Finished, SolveEvent, SummaryDelta
from app.service.params import Budget


async def chat_chunks(
    events: AsyncIterator[SolveEvent], request_id: str, budget: Budget, model_id: str, include_usage: bool
) -> AsyncIterator[str]:
    created = int(time.time())

    def chunk(choices: list[ChunkChoice], **extra: object) -> str:
        body = ChatCompletionChunk(
            id=f"chatcmpl-{request_id}",
            created=created,
            model=model_id,
            choices=choices,
            **extra,  # type: ignore[arg-type]
        )
        return body.model_dump_json(exclude_none=True)

    yield chunk([ChunkChoice(delta=ChunkDelta(role="assistant", content=""))])
    async for event in events:
        if isinstance(event, SummaryDelta):
            yield chunk([ChunkChoice(delta=ChunkDelta(reasoning=event.text))])
        elif isinstance(event, Finished):
            outcome = event.outcome
            if outcome.answer is not None:
                yield chunk([ChunkChoice(delta=ChunkDelta(content=outcome.answer))])
            finish = ChunkChoice(delta=ChunkDelta(), finish_reason=finish_reason(outcome))
            yield chunk([finish], verification=verification(outcome, budget))
            if include_usage:
                yield chunk([], usage=chat_usage(outcome))
    yield "[DONE]"
