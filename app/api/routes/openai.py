"""OpenAI-compatible routes on the same pipeline: /v1/models, /v1/chat/completions, /v1/responses.

A client of OpenAI's reasoning models points its SDK's base_url here: `reasoning_effort` picks how
many chains are sampled and verified, the selected answer is the assistant's content, and only a
summary of the winning chain is returned (see `app.api.translation`).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import PolicyDep, SettingsDep, require_json, solve_service_of
from app.api.openai_errors import OPENAI_ERROR_RESPONSES, openai_error
from app.api.schemas.openai_chat import ChatCompletion, ChatCompletionRequest
from app.api.schemas.openai_common import ModelCard, ModelList
from app.api.schemas.openai_responses import ResponseObject, ResponseRequest
from app.api.translation.openai_chat import chat_completion, chat_params
from app.api.translation.openai_chat_stream import chat_chunks
from app.api.translation.openai_request import in_openai_terms
from app.api.translation.openai_responses import response_object, response_params
from app.api.translation.openai_responses_stream import response_events
from app.web.cancellation import with_cancellation
from app.web.request_id import key_id_var, request_id_var
from app.web.sse import EVENT_STREAM, data_only, event_stream, primed

router = APIRouter(prefix="/v1", tags=["openai"])
STARTED = int(time.time())


@router.get("/models", operation_id="list_models", response_model=ModelList, responses=OPENAI_ERROR_RESPONSES)
async def list_models(settings: SettingsDep) -> ModelList:
    """The served generator, as OpenAI lists models."""
    return ModelList(data=[ModelCard(id=settings.model_id, created=STARTED)])


@router.post(
    "/chat/completions",
    operation_id="create_chat_completion",
    response_model=ChatCompletion,
    responses={**OPENAI_ERROR_RESPONSES, 200: {"content": EVENT_STREAM, "description": "The completion, or chunks."}},
    dependencies=[Depends(require_json)],
)
@with_cancellation
async def create_chat_completion(
    body: ChatCompletionRequest, request: Request, settings: SettingsDep, policy: PolicyDep
) -> ChatCompletion | Response:
    """Answer the last user message with best-of-N verification (OpenAI chat completions)."""
    params, budget = chat_params(body, settings.model_id, policy)
    rid = request_id_var.get()
    with in_openai_terms(budget):
        service = solve_service_of(request)
        if body.stream:
            events = await primed(service.stream(params, rid, progress=False, client=key_id_var.get()))
            usage = bool(body.stream_options and body.stream_options.include_usage)
            return event_stream(chat_chunks(events, rid, budget, settings.model_id, usage), openai_error, data_only)
        outcome = await service.solve(params, rid, client=key_id_var.get())
    return chat_completion(outcome, budget, settings.model_id)


@router.post(
    "/responses",
    operation_id="create_response",
    response_model=ResponseObject,
    responses={**OPENAI_ERROR_RESPONSES, 200: {"content": EVENT_STREAM, "description": "The response, or events."}},
    dependencies=[Depends(require_json)],
)
@with_cancellation
async def create_response(
    body: ResponseRequest, request: Request, settings: SettingsDep, policy: PolicyDep
) -> ResponseObject | Response:
    """Answer with a reasoning item (its summary) and a message item, as OpenAI's o-series models do."""
    params, budget = response_params(body, settings.model_id, policy)
    rid = request_id_var.get()
    with in_openai_terms(budget):
        service = solve_service_of(request)
        if body.stream:
            events = await primed(service.stream(params, rid, progress=False, client=key_id_var.get()))
            frames = response_events(events, body, rid, budget, settings.model_id)
            return event_stream(frames, openai_error, data_only)
        outcome = await service.solve(params, rid, client=key_id_var.get())
    return response_object(body, outcome, budget, settings.model_id)
