"""OpenAI-compatible routes on the same pipeline: /v1/models, /v1/chat/completions, /v1/responses.

A client of OpenAI's reasoning models points its SDK's base_url here: `reasoning_effort` picks how
many chains are sampled and verified (settings map it to N and a token budget), the selected
answer is the assistant's content, the hidden chains are counted as reasoning tokens, and only a
summary of the winning chain is returned.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter, Depends, Request

from app.api.deps import SettingsDep, get_solve_service, require_json
from app.api.errors import OPENAI_ERROR_RESPONSES
from app.api.openai_schemas import (
    AssistantMessage,
    ChatChoice,
    ChatCompletion,
    ChatCompletionRequest,
    ChatUsage,
    CompletionTokensDetails,
    MessageItem,
    ModelCard,
    ModelList,
    OutputText,
    OutputTokensDetails,
    ReasoningItem,
    ResponseObject,
    ResponseReasoning,
    ResponseRequest,
    ResponseUsage,
    SummaryText,
    Verification,
)
from app.api.schemas import AnswerClusterOut
from app.config import Effort, Settings
from app.errors import InvalidRequest, ModelNotFound, UnsupportedParameter
from app.observability import request_id_var
from app.service.solve import SolveOutcome, SolveParams

router = APIRouter(prefix="/v1", tags=["openai"])
STARTED = int(time.time())
# The fewest tokens a chain needs to reach an answer line; a smaller budget cannot work.
MIN_CHAIN_TOKENS = 8


@dataclass(frozen=True, slots=True)
class Budget:
    effort: Effort
    n: int
    max_tokens: int


class Message(Protocol):
    @property
    def role(self) -> str: ...

    def text(self) -> str: ...


def check_request(model: str, stream: bool | None, settings: Settings) -> None:
    """What both OpenAI routes refuse before anything else: another model, or streaming."""
    if model != settings.model_id:
        raise ModelNotFound(f"The model '{model}' does not exist; this service serves '{settings.model_id}'.")
    if stream:
        raise UnsupportedParameter("stream", "streaming is not supported; omit stream or set it to false")


def last_user_text(messages: Sequence[Message], field: str) -> str:
    """The problem: the text of the last user message."""
    users = [m for m in messages if m.role == "user"]
    if not users:
        raise InvalidRequest(f"{field} has no user message: the last one is the problem")
    return users[-1].text()


def budget_for(effort: Effort | None, limit: int | None, param: str, settings: Settings) -> Budget:
    """N and each chain's budget for an effort; `limit` bounds all generated tokens together, as
    OpenAI's max_completion_tokens does (reasoning included), so each chain gets its share."""
    effort = effort or settings.default_reasoning_effort
    n = settings.reasoning_effort_n[effort]
    per_chain = settings.reasoning_effort_max_tokens[effort]
    if limit is not None:
        if limit < n * MIN_CHAIN_TOKENS:
            raise UnsupportedParameter(
                param,
                f"{param}={limit} is too small for reasoning_effort='{effort}', which samples {n} chains: "
                f"use at least {n * MIN_CHAIN_TOKENS}, or a lower effort",
            )
        per_chain = min(per_chain, limit // n)
    return Budget(effort, n, per_chain)


def solve_params(problem: str, budget: Budget, temperature: float | None, seed: int | None, s: Settings) -> SolveParams:
    if not problem.strip():
        raise InvalidRequest("the last user message is empty")
    return SolveParams(
        problem=problem.strip(),
        n=budget.n,
        temperature=s.default_temperature if temperature is None else temperature,
        max_tokens=budget.max_tokens,
        seed=seed,
        aggregation=s.default_aggregation,
        selection=s.default_selection,
    )


def concise(outcome: SolveOutcome) -> str:
    answer = outcome.answer if outcome.answer is not None else "none"
    return (
        f"Verified {outcome.params.n} sampled solutions step by step; answer {answer} "
        f"(confidence {outcome.confidence:.2f})."
    )


@router.get("/models", operation_id="list_models", response_model=ModelList, responses=OPENAI_ERROR_RESPONSES)
async def list_models(settings: SettingsDep) -> ModelList:
    """The served generator, as OpenAI lists models."""
    return ModelList(data=[ModelCard(id=settings.model_id, created=STARTED)])


@router.post(
    "/chat/completions",
    operation_id="create_chat_completion",
    response_model=ChatCompletion,
    responses=OPENAI_ERROR_RESPONSES,
    dependencies=[Depends(require_json)],
)
async def create_chat_completion(
    body: ChatCompletionRequest, request: Request, settings: SettingsDep
) -> ChatCompletion:
    """Answer the last user message with best-of-N verification (OpenAI chat completions)."""
    check_request(body.model, body.stream, settings)
    if body.n not in (None, 1):
        raise UnsupportedParameter("n", f"n={body.n}: only one choice is returned (the verified answer)")
    if body.max_completion_tokens is not None and body.max_tokens is not None:
        raise UnsupportedParameter("max_tokens", "give max_completion_tokens or max_tokens, not both")
    problem = last_user_text(body.messages, "messages")
    limit = body.max_completion_tokens if body.max_completion_tokens is not None else body.max_tokens
    param = "max_completion_tokens" if body.max_completion_tokens is not None else "max_tokens"
    budget = budget_for(body.reasoning_effort, limit, param, settings)
    params = solve_params(problem, budget, body.temperature, body.seed, settings)
    outcome = await get_solve_service(request).solve(params, request_id_var.get())
    # Every generated token belongs to a chain (the visible answer is the winning chain's last
    # line), so all completion tokens are reasoning tokens.
    reasoning = completion = outcome.usage.reasoning_tokens
    return ChatCompletion(
        id=f"chatcmpl-{outcome.request_id}",
        created=int(time.time()),
        model=settings.model_id,
        choices=[
            ChatChoice(
                index=0,
                message=AssistantMessage(content=outcome.answer),
                finish_reason="stop" if outcome.answer is not None else "length",
            )
        ],
        usage=ChatUsage(
            prompt_tokens=outcome.usage.prompt_tokens,
            completion_tokens=completion,
            total_tokens=outcome.usage.prompt_tokens + completion,
            completion_tokens_details=CompletionTokensDetails(reasoning_tokens=reasoning),
        ),
        verification=Verification(
            summary=outcome.summary,
            confidence=outcome.confidence,
            n=outcome.params.n,
            reasoning_effort=budget.effort,
            clusters=[AnswerClusterOut(answer=c.answer, count=c.count, weight=c.weight) for c in outcome.clusters],
        ),
    )


@router.post(
    "/responses",
    operation_id="create_response",
    response_model=ResponseObject,
    responses=OPENAI_ERROR_RESPONSES,
    dependencies=[Depends(require_json)],
)
async def create_response(body: ResponseRequest, request: Request, settings: SettingsDep) -> ResponseObject:
    """Answer with a reasoning item (its summary) and a message item, as OpenAI's o-series models do."""
    check_request(body.model, body.stream, settings)
    problem = body.input if isinstance(body.input, str) else last_user_text(body.input, "input")
    reasoning = body.reasoning
    budget = budget_for(reasoning.effort if reasoning else None, body.max_output_tokens, "max_output_tokens", settings)
    params = solve_params(problem, budget, body.temperature, None, settings)
    outcome = await get_solve_service(request).solve(params, request_id_var.get())
    style = reasoning.summary if reasoning else None
    summary = [] if style is None else [SummaryText(text=concise(outcome) if style == "concise" else outcome.summary)]
    rid = outcome.request_id
    reasoning_tokens = output = outcome.usage.reasoning_tokens  # as in chat: the answer is a chain's line
    done = outcome.answer is not None
    return ResponseObject(
        id=f"resp_{rid}",
        created_at=int(time.time()),
        status="completed" if done else "incomplete",
        model=settings.model_id,
        output=[
            ReasoningItem(id=f"rs_{rid}", summary=summary),
            MessageItem(
                id=f"msg_{rid}",
                status="completed" if done else "incomplete",
                content=[OutputText(text=outcome.answer or "")],
            ),
        ],
        reasoning=ResponseReasoning(effort=budget.effort, summary=style),
        usage=ResponseUsage(
            input_tokens=outcome.usage.prompt_tokens,
            output_tokens=output,
            output_tokens_details=OutputTokensDetails(reasoning_tokens=reasoning_tokens),
            total_tokens=outcome.usage.prompt_tokens + output,
        ),
    )
