"""POST /solve: best-of-N with step-level verification."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from app.api.deps import SettingsDep, get_solve_service, require_json
from app.api.errors import ERROR_RESPONSES
from app.api.schemas import AnswerClusterOut, SolveRequest, SolveResponse, TimingsOut, UsageOut
from app.config import Settings
from app.observability import request_id_var
from app.service.solve import SolveOutcome, SolveParams

router = APIRouter(tags=["solve"])


def to_params(body: SolveRequest, settings: Settings) -> SolveParams:
    return SolveParams(
        problem=body.problem,
        n=body.n if body.n is not None else settings.default_n,
        temperature=body.temperature if body.temperature is not None else settings.default_temperature,
        max_tokens=body.max_tokens if body.max_tokens is not None else settings.default_max_tokens,
        seed=body.seed,
        aggregation=body.aggregation or settings.default_aggregation,
        selection=body.selection or settings.default_selection,
    )


def to_response(outcome: SolveOutcome) -> SolveResponse:
    """Copy the public fields only; the raw chains stay in `outcome.chains`."""
    t = outcome.timings
    return SolveResponse(
        request_id=outcome.request_id,
        answer=outcome.answer,
        summary=outcome.summary,
        confidence=outcome.confidence,
        n=outcome.params.n,
        selection=outcome.params.selection,
        aggregation=outcome.params.aggregation,
        clusters=[AnswerClusterOut(answer=c.answer, count=c.count, weight=c.weight) for c in outcome.clusters],
        step_scores=outcome.winner_step_scores,
        usage=UsageOut(
            prompt_tokens=outcome.usage.prompt_tokens,
            reasoning_tokens=outcome.usage.reasoning_tokens,
            scored_tokens=outcome.usage.scored_tokens,
        ),
        timings=TimingsOut(
            generate_ms=1000 * t.generate_s,
            score_ms=1000 * t.score_s,
            select_ms=1000 * t.select_s,
            total_ms=1000 * t.total_s,
        ),
    )


@router.post(
    "/solve",
    operation_id="solve",
    response_model=SolveResponse,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_json)],
)
async def solve(body: SolveRequest, request: Request, settings: SettingsDep) -> SolveResponse:
    """Solve a problem: sample N chains, score every step, return the best answer and a summary."""
    service = get_solve_service(request)
    outcome = await service.solve(to_params(body, settings), request_id_var.get())
    return to_response(outcome)
