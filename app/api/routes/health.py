"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import EngineLoaderDep
from app.api.schemas.native import HealthOut, ReadyOut
from app.web.loading import LoadState, check_all

router = APIRouter(tags=["health"])


@router.get("/health", operation_id="health", response_model=HealthOut)
async def health() -> HealthOut:
    """The process is up."""
    return HealthOut()


@router.get("/ready", operation_id="ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
async def ready(loader: EngineLoaderDep) -> JSONResponse:
    """Both engines are loaded and answering (503 otherwise)."""
    if loader.state is not LoadState.READY or loader.value is None:
        body = ReadyOut(status=loader.state.value, engines={}, detail=loader.error)
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
    states, failures = await check_all(loader.value.by_name())
    ok = not failures
    body = ReadyOut(status="ready" if ok else "failed", engines=states, detail="; ".join(failures) or None)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if ok else 503)
