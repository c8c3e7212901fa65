"""POST /solve: best-of-N with step-level verification."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from app.api.deps import PolicyDep, require_json, solve_service_of
from app.api.schemas.native import SolveRequest, SolveResponse
from app.api.translation.native import solve_params, solve_response
from app.web.errors import ERROR_RESPONSES
from app.web.request_id import request_id_var

router = APIRouter(tags=["solve"])


@router.post(
    "/solve",
    operation_id="solve",
    response_model=SolveResponse,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_json)],
)
async def solve(body: SolveRequest, request: Request, policy: PolicyDep) -> SolveResponse:
    """Solve a problem: sample N chains, score every step, return the best answer and a summary."""
    params = solve_params(body, policy)
    return solve_response(await solve_service_of(request).solve(params, request_id_var.get()))
