"""OpenAI-compatible routes on the same pipeline: /v1/models, /v1/chat/completions, /v1/responses.

A client of OpenAI's reasoning models points its SDK's base_url here: `reasoning_effort` picks how
many chains are sampled and verified, the selected answer is the assistant's content, and only a
summary of the winning chain is returned (see `app.api.translation`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TypeVar

from fastapi import APIRouter, Request, Response

from app.api.deps import PolicyDep, SettingsDep, answer_route, solve_service_of
from app.api.openai_errors import OPENAI_ERROR_RESPONSES, openai_error
from app.api.schemas.openai_chat import ChatCompletion, ChatCompletionRequest
from app.api.schemas.openai_common import ModelCard, ModelList
from app.api.schemas.openai_responses import ResponseObject, ResponseRequest
from app.api.translation.openai_chat import chat_completion, chat_params
from app.api.translation.openai_chat_stream import chat_chunks
from app.api.translation.openai_request import in_openai_terms
from app.api.translation.openai_responses import response_object, response_params
from app.api.translation.openai_responses_stream import response_events
from app.service.events import SolveEvent
from app.service.outcome import SolveOutcome
from app.service.params import Budget, SolveParams
from app.web.request_id import key_id_var, request_id_var
from app.web.sse import Frame, data_only, event_stream, primed

router = APIRouter(prefix="/v1", tags=["openai"])
STARTED = int(time.time())

T = TypeVar("T")
# A streamed answer's frames, from the pipeline's events and the request id.
Frames = Callable[[AsyncIterator[SolveEvent], str], AsyncIterator[Frame]]


async def answer(
    request: Request,
    params: SolveParams,
    budget: Budget,
    stream: bool | None,
    frames: Frames,
    respond: Callable[[SolveOutcome], T],
) -> T | Response:
    """The pipeline's answer to an OpenAI request: streamed as `frames`, or whole as `respond`
    makes it. What the pipeline refuses is named in the request's own parameters."""
    rid = request_id_var.get()
    with in_openai_terms(budget):
        service = solve_service_of(request)
        if stream:
            events = await primed(service.stream(params, rid, progress=False, client=key_id_var.get()))
            return event_stream(frames(events, rid), openai_error, data_only)
        outcome = await service.solve(params, rid, client=key_id_var.get())
    return respond(outcome)


@router.get("/models", operation_id="list_models", response_model=ModelList)
async def list_models(settings: SettingsDep) -> ModelList:
    """The served generator, as OpenAI lists models."""
    return ModelList(data=[ModelCard(id=settings.model_id, created=STARTED)])


@answer_route(
    router,
    "/chat/completions",
    "create_chat_completion",
    ChatCompletion,
    OPENAI_ERROR_RESPONSES,
    "The completion, or chunks.",
)
async def create_chat_completion(
    body: ChatCompletionRequest, request: Request, settings: SettingsDep, policy: PolicyDep
) -> ChatCompletion | Response:
    """Answer the last user message with best-of-N verification (OpenAI chat completions)."""
    params, budget = chat_params(body, settings.model_id, policy)
    usage = bool(body.stream_options and body.stream_options.include_usage)
    frames = partial(chat_chunks, budget=budget, model_id=settings.model_id, include_usage=usage)
    whole = partial(chat_completion, budget=budget, model_id=settings.model_id)
    return await answer(request, params, budget, body.stream, frames, whole)


@answer_route(
    router, "/responses", "create_response", ResponseObject, OPENAI_ERROR_RESPONSES, "The response, or events."
)
async def create_response(
    body: ResponseRequest, request: Request, settings: SettingsDep, policy: PolicyDep
) -> ResponseObject | Response:
    """Answer with a reasoning item (its summary) and a message item, as OpenAI's o-series models do."""
    params, budget = response_params(body, settings.model_id, policy)
    frames = partial(response_events, body=body, budget=budget, model_id=settings.model_id)
    whole = partial(response_object, body, budget=budget, model_id=settings.model_id)
    return await answer(request, params, budget, body.stream, frames, whole)
