"""POST /solve: best-of-N with step-level verification, whole or streamed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import PolicyDep, require_json, solve_service_of
from app.api.schemas.native import SolveRequest, SolveResponse
from app.api.translation.native import solve_params, solve_response
from app.api.translation.native_stream import solve_events
from app.web.cancellation import with_cancellation
from app.web.errors import ERROR_RESPONSES, envelope
from app.web.request_id import request_id_var
from app.web.sse import EVENT_STREAM, event_stream, primed

router = APIRouter(tags=["solve"])


@router.post(
    "/solve",
    operation_id="solve",
    response_model=SolveResponse,
    responses={**ERROR_RESPONSES, 200: {"content": EVENT_STREAM, "description": "The answer, or its event stream."}},
    dependencies=[Depends(require_json)],
)
@with_cancellation
async def solve(body: SolveRequest, request: Request, policy: PolicyDep) -> SolveResponse | Response:
    """Solve a problem: sample N chains, score every step, return the best answer and a summary."""
    params = solve_params(body, policy)
    service = solve_service_of(request)
    if body.stream:  # None or False: one JSON body
        events = await primed(service.stream(params, request_id_var.get()))
        return event_stream(solve_events(events), envelope)
    return solve_response(await service.solve(params, request_id_var.get()))
