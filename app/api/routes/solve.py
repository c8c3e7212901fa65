"""POST /solve: best-of-N with step-level verification, whole or streamed;
POST /solve/{request_id}/context: a note for a streaming request's chains; and
POST /solve/{request_id}/continue: the same search, thinking longer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.api.deps import PolicyDep, answer_route, require_json, solve_service_of
from app.api.schemas.native import ContextAdded, ContextRequest, ContinueRequest, SolveRequest, SolveResponse
from app.api.translation.native import more_chains, solve_params, solve_response
from app.api.translation.native_stream import solve_events
from app.errors import ContextRefused, RequestBusy, RequestExpired, UnknownRequest
from app.web.errors import ERROR_RESPONSES, envelope, responses_for
from app.web.request_id import key_id_var, request_id_var
from app.web.sse import event_stream, primed

router = APIRouter(tags=["solve"])


@answer_route(router, "/solve", "solve", SolveResponse, ERROR_RESPONSES, "The answer, or its event stream.")
async def solve(body: SolveRequest, request: Request, policy: PolicyDep) -> SolveResponse | Response:
    """Solve a problem: sample N chains, score every step, return the best answer and a summary."""
    params = solve_params(body, policy)
    service = solve_service_of(request)
    if body.stream:  # None or False: one JSON body
        events = await primed(service.stream(params, request_id_var.get(), continuable=True, client=key_id_var.get()))
        return event_stream(solve_events(events), envelope)
    return solve_response(await service.solve(params, request_id_var.get(), continuable=True, client=key_id_var.get()))


RequestId = Annotated[str, Path(min_length=1, max_length=128, description="The answer's request_id.")]
CONTINUE_ERRORS = responses_for(UnknownRequest, RequestBusy, RequestExpired)


@router.post(
    "/solve/{request_id}/context",
    operation_id="add_context",
    status_code=202,
    response_model=ContextAdded,
    responses={**ERROR_RESPONSES, **responses_for(UnknownRequest, ContextRefused)},
    dependencies=[Depends(require_json)],
)
async def add_context(request_id: RequestId, body: ContextRequest, request: Request) -> ContextAdded:
    """Add a note to a request streaming now (`/solve` with `stream: true`), from the key that
    asked it: every chain still running reads it at its next step boundary, every chain started
    later before its first step, and the chains that read every note vote alone (those that ended
    before it are set aside, unless no chain reads it through). Progress events count the notes
    and the chains they reached. 404 for a request not streaming here (or another key's), 409 for
    one that has answered (continue it with `context`) or whose chains take no notes."""
    added = solve_service_of(request).add_context(request_id, body.context, key_id_var.get())
    return ContextAdded(request_id=request_id, notes=added.notes, chains_running=added.chains_running)


@answer_route(
    router,
    "/solve/{request_id}/continue",
    "continue_solve",
    SolveResponse,
    {**ERROR_RESPONSES, **CONTINUE_ERRORS},
    "The answer over all chains so far, or its event stream.",
)
async def continue_solve(
    request_id: RequestId,
    body: ContinueRequest,
    request: Request,
    policy: PolicyDep,
) -> SolveResponse | Response:
    """Think longer: sample more chains for an answered problem. The chains already sampled and
    scored are kept and vote again beside the new ones; the answer, its confidence, the counts
    and the usage are those of every chain so far. With `context`, every new chain reads the note
    before its first step, and the chains that did not read it vote only where no new chain
    reads it through. Answers are kept for a while after they are given (404 for an id never
    seen, 410 once its time ran out)."""
    more = more_chains(body, policy)
    service = solve_service_of(request)
    params, earlier = await service.resume(request_id, more, key_id_var.get())
    if body.stream:
        events = await primed(service.stream(params, request_id, earlier=earlier, client=key_id_var.get()))
        return event_stream(solve_events(events), envelope)
    return solve_response(await service.solve(params, request_id, earlier, client=key_id_var.get()))
