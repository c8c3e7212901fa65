"""`POST /v1/chat/completions` ↔ the pipeline.

The selected answer is the assistant's content; the hidden chains are counted as reasoning
tokens; the verification's public part (summary, confidence, clusters) goes in the extra field.
"""

from __future__ import annotations

import time
from typing import Literal

from app.api.schemas.openai_chat import (
    AssistantMessage,
    ChatChoice,
    ChatCompletion,
    ChatCompletionRequest,
    ChatUsage,
    CompletionTokensDetails,
    Verification,
)
from app.api.translation.fields import copy_fields
from app.api.translation.native import checks_out, clusters_out, counts_out
from app.api.translation.openai_request import check_model, last_user_text, openai_requested, system_text
from app.errors import UnsupportedParameter
from app.service.outcome import SolveOutcome
from app.service.params import Budget, RequestPolicy, SolveParams


def chat_params(body: ChatCompletionRequest, model_id: str, policy: RequestPolicy) -> tuple[SolveParams, Budget]:
    check_model(body.model, model_id)
    if body.n not in (None, 1):
        raise UnsupportedParameter("n", f"n={body.n}: only one choice is returned (the verified answer)")
    if body.max_completion_tokens is not None and body.max_tokens is not None:
        raise UnsupportedParameter("max_tokens", "give max_completion_tokens or max_tokens, not both")
    problem = last_user_text(body.messages, "messages")
    limit, param = body.max_completion_tokens, "max_completion_tokens"
    if limit is None:
        limit, param = body.max_tokens, "max_tokens"
    budget = policy.budget(body.reasoning_effort, limit, param)
    asked = openai_requested(body, problem, "messages", budget, system_text(body.messages), summary="auto")
    return policy.resolve(asked), budget


def chat_completion(outcome: SolveOutcome, budget: Budget, model_id: str) -> ChatCompletion:
    return ChatCompletion(
        id=f"chatcmpl-{outcome.request_id}",
        created=int(time.time()),
        model=model_id,
        choices=[
            ChatChoice(index=0, message=AssistantMessage(content=outcome.answer), finish_reason=finish_reason(outcome))
        ],
        usage=chat_usage(outcome),
        verification=verification(outcome, budget),
    )


def finish_reason(outcome: SolveOutcome) -> Literal["stop", "length"]:
    return "stop" if outcome.answer is not None else "length"


def chat_usage(outcome: SolveOutcome) -> ChatUsage:
    # Every generated token belongs to a chain (the visible answer is the winning chain's last
    # line), so all completion tokens are reasoning tokens.
    usage = outcome.usage
    completion = usage.reasoning_tokens
    return ChatUsage(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=completion,
        total_tokens=usage.prompt_tokens + completion,
        completion_tokens_details=CompletionTokensDetails(reasoning_tokens=usage.reasoning_tokens),
    )


def verification(outcome: SolveOutcome, budget: Budget) -> Verification:
    return copy_fields(
        Verification,
        outcome,
        n=outcome.params.n,
        reasoning_effort=budget.effort,
        clusters=clusters_out(outcome),
        checks=checks_out(outcome.checks),
        chain_counts=counts_out(outcome.counts),
    )
