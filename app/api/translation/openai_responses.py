"""`POST /v1/responses` ↔ the pipeline: a reasoning item (its summary, when asked for) and a
message item with the answer, as OpenAI's o-series models answer."""

from __future__ import annotations

import time
from dataclasses import replace

from app.api.schemas.openai_responses import (
    MessageItem,
    OutputText,
    OutputTokensDetails,
    ReasoningItem,
    ResponseObject,
    ResponseReasoning,
    ResponseRequest,
    ResponseTool,
    ResponseUsage,
    SummaryText,
    VerificationMetadata,
)
from app.api.translation.openai_request import check_model, last_user_text, openai_requested, system_text
from app.errors import InvalidRequest
from app.service.outcome import CheckTally, SolveOutcome, ToolTally
from app.service.params import Budget, RequestPolicy, SolveParams, ToolsAsked
from app.tools.sandbox import NAME as PYTHON

CODE_INTERPRETER = "code_interpreter"


def response_params(body: ResponseRequest, model_id: str, policy: RequestPolicy) -> tuple[SolveParams, Budget]:
    check_model(body.model, model_id)
    problem = body.input if isinstance(body.input, str) else last_user_text(body.input, "input")
    system = body.instructions
    if system is None and not isinstance(body.input, str):
        system = system_text(body.input)
    effort = body.reasoning.effort if body.reasoning else None
    budget = policy.budget(effort, body.max_output_tokens, "max_output_tokens")
    summary = body.reasoning.summary if body.reasoning else None  # no summary is written unless asked for
    requested = openai_requested(body, problem, "input", budget, system, summary)
    return policy.resolve(replace(requested, tools=tools_asked(body.tools))), budget


def tools_asked(tools: list[ResponseTool] | None) -> ToolsAsked:
    """The tools an OpenAI tool list turns on: `code_interpreter` is the python tool."""
    if tools is None:
        return "auto"
    other = sorted({tool.type for tool in tools} - {CODE_INTERPRETER})
    if other:
        raise InvalidRequest(
            f"tools: {', '.join(map(repr, other))} cannot be served; only {CODE_INTERPRETER!r} runs in the "
            "hidden chains",
            "tools",
        )
    return (PYTHON,) if tools else "none"


def response_object(body: ResponseRequest, outcome: SolveOutcome, budget: Budget, model_id: str) -> ResponseObject:
    style = body.reasoning.summary if body.reasoning else None
    summary = [] if style is None else [SummaryText(text=outcome.summary)]
    rid, usage = outcome.request_id, outcome.usage
    output = usage.reasoning_tokens  # as in chat: the answer is a line of the winning chain
    done = outcome.answer is not None
    return ResponseObject(
        id=f"resp_{rid}",
        created_at=int(time.time()),
        status="completed" if done else "incomplete",
        model=model_id,
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
            input_tokens=usage.prompt_tokens,
            output_tokens=output,
            output_tokens_details=OutputTokensDetails(reasoning_tokens=usage.reasoning_tokens),
            total_tokens=usage.prompt_tokens + output,
        ),
        metadata=VerificationMetadata(
            bon_confidence=f"{outcome.confidence:.4f}",
            bon_calibrated="true" if outcome.calibrated else "false",
            bon_verified="true" if outcome.verified else "false",
            **checks_metadata(outcome.checks),
            **tools_metadata(outcome.tools),
        ),
    )


def tools_metadata(tools: ToolTally | None) -> dict[str, str]:
    """The chains' tool calls in OpenAI's string metadata: counts only."""
    if tools is None:
        return {}
    return {"bon_tool_calls": str(tools.total), "bon_tool_calls_failed": str(tools.total - tools.outcomes["ok"])}


def checks_metadata(checks: CheckTally | None) -> dict[str, str]:
    """The step checks in OpenAI's string metadata: counts only."""
    if checks is None:
        return {}
    return {
        "bon_checkers": ",".join(f"{name}@{version}" for name, version in checks.checkers.items()),
        "bon_steps_checked": str(checks.steps_checked),
        "bon_steps_failed": str(checks.steps_failed),
        "bon_chains_vetoed": str(checks.chains_vetoed),
    }
