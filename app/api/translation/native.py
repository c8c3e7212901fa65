"""`POST /solve` ↔ the pipeline."""

from __future__ import annotations

from app.api.schemas.native import (
    AnswerClusterOut,
    BudgetIn,
    ChainCountsOut,
    CheckerOut,
    ChecksOut,
    ContextOut,
    ContinueRequest,
    SearchOut,
    SolveRequest,
    SolveResponse,
    TimingsOut,
    ToolCallsOut,
    ToolsOut,
    UsageOut,
)
from app.api.translation.fields import copy_fields
from app.core.adaptive import SearchTally
from app.errors import InvalidRequest
from app.service.continuation import MoreChains
from app.service.outcome import ChainCounts, CheckTally, ContextTally, SolveOutcome, Timings, ToolTally
from app.service.params import Requested, RequestPolicy, SolveParams


def solve_params(body: SolveRequest, policy: RequestPolicy) -> SolveParams:
    budget = body.budget or BudgetIn()
    if body.n is not None and budget.max_chains is not None and body.n != budget.max_chains:
        raise InvalidRequest(f"n={body.n} and budget.max_chains={budget.max_chains} disagree: give one", "budget")
    asked = Requested(
        body.problem,
        sampling=body.sampling(),
        n=budget.max_chains if budget.max_chains is not None else body.n,
        max_tokens=body.max_tokens,
        aggregation=body.aggregation,
        selection=body.selection,
        system=body.system,
        summary=body.summary or "auto",
        strategy=body.strategy or "fixed",
        max_reasoning_tokens=budget.max_reasoning_tokens,
        max_latency_ms=budget.max_latency_ms,
        store=body.store,
        checks=body.checks_asked(),
        tools="auto" if body.tools is None else body.tools if isinstance(body.tools, str) else tuple(body.tools),
    )
    return policy.resolve(asked)


def more_chains(body: ContinueRequest, policy: RequestPolicy) -> MoreChains:
    budget = body.budget or BudgetIn()
    if budget.max_chains is not None and budget.max_chains > policy.max_n:
        raise InvalidRequest(
            f"budget.max_chains={budget.max_chains} exceeds this server's max_n={policy.max_n}", "budget"
        )
    return MoreChains(
        budget.max_chains, budget.max_reasoning_tokens, budget.max_latency_ms, body.strategy, body.context
    )


def clusters_out(outcome: SolveOutcome) -> list[AnswerClusterOut]:
    chains = outcome.chains
    return [copy_fields(AnswerClusterOut, c, vetoed=sum(chains[i].vetoed for i in c.members)) for c in outcome.clusters]


def tools_out(tools: ToolTally) -> ToolsOut:
    calls = [ToolCallsOut(tool=tool, calls=count) for tool, count in tools.calls.items()]
    return ToolsOut(tools=list(tools.tools), calls=calls, chains_calling=tools.chains_calling, **tools.outcomes)


def context_out(context: ContextTally) -> ContextOut:
    return ContextOut(
        notes=len(context.notes), chains_reached=context.chains_reached, chains_set_aside=context.chains_set_aside
    )


def checks_out(checks: CheckTally | None) -> ChecksOut | None:
    if checks is None:
        return None
    checkers = [CheckerOut(name=name, version=version) for name, version in checks.checkers.items()]
    return copy_fields(ChecksOut, checks, checkers=checkers)


def counts_out(counts: ChainCounts) -> ChainCountsOut:
    return copy_fields(ChainCountsOut, counts)


def solve_response(outcome: SolveOutcome) -> SolveResponse:
    return copy_fields(
        SolveResponse,
        outcome,
        n=outcome.params.n,
        selection=outcome.params.selection,
        aggregation=outcome.params.aggregation,
        clusters=clusters_out(outcome),
        step_scores=outcome.winner_step_scores,
        step_checks=list(outcome.winner_step_checks),
        checks=checks_out(outcome.checks),
        tools=tools_out(outcome.tools) if outcome.tools is not None else None,
        context=context_out(outcome.context) if outcome.context is not None else None,
        chain_counts=counts_out(outcome.counts),
        usage=copy_fields(UsageOut, outcome.usage),
        timings=timings_out(outcome.timings),
        search=search_out(outcome.search),
    )


def timings_out(t: Timings) -> TimingsOut:
    return TimingsOut(
        generate_ms=1000 * t.generate_s,
        score_ms=1000 * t.score_s,
        select_ms=1000 * t.select_s,
        total_ms=1000 * t.total_s,
    )


def search_out(tally: SearchTally | None) -> SearchOut | None:
    if tally is None:
        return None
    return copy_fields(
        SearchOut,
        tally,
        chains_started=tally.started,
        chains_pruned=tally.pruned,
        chains_finished=tally.finished,
        chains_truncated=tally.truncated,
    )
