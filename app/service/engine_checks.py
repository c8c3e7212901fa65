"""What only the engines can tell about a request, checked before any chain is paid for (the
request policy has checked the rest)."""

from __future__ import annotations

from dataclasses import replace

from app.core.particles import STEP_STRATEGIES
from app.engines.container import Engines
from app.errors import InvalidRequest, ProblemTooLong
from app.service.params import MIN_CHAIN_TOKENS, SolveParams
from app.service.prompting import prompt_for


async def checked(params: SolveParams, engines: Engines) -> tuple[SolveParams, int]:
    """The parameters to run (a budget the client did not set exactly is lowered to what the
    reward model can read) and the prompt's token count."""
    _check_combination(params, engines)
    context = await engines.generator.context_length()
    prompt = prompt_for(params, engines)
    prompt_tokens = engines.generator.count_tokens(prompt, templated=engines.generator_format.prompt.chat)
    if params.max_tokens >= context:
        raise InvalidRequest(
            f"max_tokens={params.max_tokens} must be below the model's context of {context} tokens", "max_tokens"
        )
    if prompt_tokens + params.max_tokens > context:
        raise ProblemTooLong(
            f"the problem takes {prompt_tokens} tokens as a prompt; with max_tokens={params.max_tokens} "
            f"that exceeds the model's context of {context} tokens (at most "
            f"{context - params.max_tokens} prompt tokens at this max_tokens)"
        )
    return _within_reach(params, await _readable_tokens(params, engines)), prompt_tokens


def _check_combination(params: SolveParams, engines: Engines) -> None:
    if params.temperature == 0 and params.n > 1:
        raise InvalidRequest(
            f"temperature=0 samples greedily, so all n={params.n} chains would be the same: "
            "use n=1, or a temperature above 0",
            "temperature",
        )
    if params.strategy == "adaptive" and params.selection != "prm_weighted_vote":
        raise InvalidRequest(
            f"strategy 'adaptive' stops when the PRM-weighted vote is decided: selection must be "
            f"'prm_weighted_vote', not '{params.selection}'",
            "selection",
        )
    if params.strategy in STEP_STRATEGIES and params.selection == "orm_max":
        raise InvalidRequest(
            f"strategy '{params.strategy}' weighs partial chains by the PRM and has no outcome scores: "
            "use another selection",
            "selection",
        )
    if params.selection == "orm_max" and engines.outcome_scorer is None:
        raise InvalidRequest("selection 'orm_max' needs an outcome reward model, and none is configured", "selection")


async def _readable_tokens(params: SolveParams, engines: Engines) -> int:
    """How much of a chain every reward model in use can read after this problem."""
    reach = [await engines.scorer.readable_tokens(params.problem)]
    if params.selection == "orm_max" and engines.outcome_scorer is not None:
        reach.append(await engines.outcome_scorer.readable_tokens(params.problem))
    return min(reach)


def _within_reach(params: SolveParams, readable: int) -> SolveParams:
    """A chain the reward model cannot read cannot be verified. A budget the client did not set
    exactly is lowered to what it can read (a thinking model's default budget is often twice a
    PRM's context); the generator's own context is not bargained with: a prompt too long for it
    is an error whoever chose the budget."""
    if params.max_tokens_flexible and MIN_CHAIN_TOKENS <= readable < params.max_tokens:
        params = replace(params, max_tokens=readable)
    if params.max_tokens > readable:
        raise InvalidRequest(
            f"the reward model can read {readable} tokens of a chain after this problem's prompt; "
            f"max_tokens={params.max_tokens} would not fit: lower it to {max(readable, 0)} or less",
            "max_tokens",
        )
    return params
