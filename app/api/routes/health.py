"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import HolderDep
from app.api.schemas import HealthOut, ReadyOut
from app.engines.container import EngineState
from app.engines.protocols import Generator, StepScorer
from app.errors import BonError

router = APIRouter(tags=["health"])


@router.get("/health", operation_id="health", response_model=HealthOut)
async def health() -> HealthOut:
    """The process is up."""
    return HealthOut()


@router.get("/ready", operation_id="ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
async def ready(holder: HolderDep) -> JSONResponse:
    """Both engines are loaded and answering (503 otherwise)."""
    if holder.state is not EngineState.READY or holder.engines is None:
        body = ReadyOut(status=holder.state.value, engines={}, detail=holder.error)
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
    engines: dict[str, Generator | StepScorer] = {
        "generator": holder.engines.generator,
        "reward": holder.engines.scorer,
    }
    if holder.engines.outcome_scorer is not None:
        engines["outcome_reward"] = holder.engines.outcome_scorer
    states, failures = {}, []
    for name, engine in engines.items():
        try:
            await engine.check()
            states[name] = "ready"
        except BonError as exc:
            states[name] = "unavailable"
            failures.append(exc.message)
    ok = not failures
    body = ReadyOut(status="ready" if ok else "failed", engines=states, detail="; ".join(failures) or None)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if ok else 503)
