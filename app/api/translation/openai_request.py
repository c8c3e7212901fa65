"""What the two OpenAI routes read the same way: the model, the problem in a list of messages, and
the pipeline's errors named in the OpenAI request's own parameters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from app.api.schemas.openai_common import OpenAIRequest
from app.config import SummaryStyle
from app.errors import InvalidRequest, ModelNotFound
from app.service.params import Budget, Requested


class Message(Protocol):
    @property
    def role(self) -> str: ...

    def text(self) -> str: ...


def check_model(model: str, model_id: str) -> None:
    """What both OpenAI routes refuse before anything else: another model."""
    if model != model_id:
        raise ModelNotFound(f"The model '{model}' does not exist; this service serves '{model_id}'.")


def last_user_text(messages: Sequence[Message], param: str) -> str:
    """The problem: the text of the last user message."""
    users = [m for m in messages if m.role == "user"]
    if not users:
        raise InvalidRequest(f"{param} has no user message: the last one is the problem", param)
    return users[-1].text()


def system_text(messages: Sequence[Message]) -> str | None:
    """The request's system prompt: its system and developer messages, in order; None without any."""
    texts = [m.text() for m in messages if m.role in ("system", "developer")]
    return "\n\n".join(texts) if texts else None


def openai_requested(
    body: OpenAIRequest,
    problem: str,
    problem_param: str,
    budget: Budget,
    system: str | None,
    summary: SummaryStyle | None,
) -> Requested:
    """What an OpenAI request asks for: N and each chain's budget come from its effort (a share of
    the effort's budget or of the client's total limit, so the budget may be lowered to fit)."""
    return Requested(
        problem,
        problem_param,
        body.sampling(),
        n=budget.n,
        max_tokens=budget.max_tokens,
        flexible_budget=True,
        system=system,
        summary=summary,
        strategy=budget.strategy,
        max_reasoning_tokens=budget.max_reasoning_tokens,
        store=body.store,
        checks=body.checks_asked(),
    )


@contextmanager
def in_openai_terms(budget: Budget) -> Iterator[None]:
    """Name the request parameter an OpenAI client can change in what the pipeline refuses: N and
    each chain's budget come from the effort (or the request's token limit), the selection from
    the server."""
    try:
        yield
    except InvalidRequest as exc:
        renamed = {"n": "reasoning_effort", "max_tokens": budget.limit_param or "reasoning_effort", "selection": None}
        if exc.param in renamed:
            exc.param = renamed[exc.param]
        raise
