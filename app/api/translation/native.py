"""`POST /solve` ↔ the pipeline."""

from __future__ import annotations

from collections.abc import Iterable

from app.api.schemas.native import (
    AnswerClusterOut,
    ChainCountsOut,
    SolveRequest,
    SolveResponse,
    TimingsOut,
    UsageOut,
)
from app.core.select import AnswerCluster
from app.service.outcome import ChainCounts, SolveOutcome
from app.service.params import RequestPolicy, SolveParams


def solve_params(body: SolveRequest, policy: RequestPolicy) -> SolveParams:
    return policy.resolve(
        body.problem,
        n=body.n,
        temperature=body.temperature,
        max_tokens=body.max_tokens,
        seed=body.seed,
        aggregation=body.aggregation,
        selection=body.selection,
        system=body.system,
        summary=body.summary or "auto",
    )


def clusters_out(clusters: Iterable[AnswerCluster]) -> list[AnswerClusterOut]:
    return [AnswerClusterOut(answer=c.answer, count=c.count, weight=c.weight) for c in clusters]


def counts_out(counts: ChainCounts) -> ChainCountsOut:
    return ChainCountsOut(
        sampled=counts.sampled, voted=counts.voted, truncated=counts.truncated, unscored=counts.unscored
    )


def solve_response(outcome: SolveOutcome) -> SolveResponse:
    t, usage = outcome.timings, outcome.usage
    return SolveResponse(
        request_id=outcome.request_id,
        answer=outcome.answer,
        summary=outcome.summary,
        confidence=outcome.confidence,
        n=outcome.params.n,
        selection=outcome.params.selection,
        aggregation=outcome.params.aggregation,
        clusters=clusters_out(outcome.clusters),
        step_scores=outcome.winner_step_scores,
        chain_counts=counts_out(outcome.counts),
        usage=UsageOut(
            prompt_tokens=usage.prompt_tokens,
            reasoning_tokens=usage.reasoning_tokens,
            scored_tokens=usage.scored_tokens,
        ),
        timings=TimingsOut(
            generate_ms=1000 * t.generate_s,
            score_ms=1000 * t.score_s,
            select_ms=1000 * t.select_s,
            total_ms=1000 * t.total_s,
        ),
    )
