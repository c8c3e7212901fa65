"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.deps import EngineLoaderDep
from app.api.schemas.native import AuditState, HealthOut, PoolOut, ReadyOut, ReplicaOut
from app.api.state import state_of
from app.engines.replicas import ReplicaPool
from app.web.loading import LoadState, check_all

router = APIRouter(tags=["health"])


@router.get("/health", operation_id="health", response_model=HealthOut)
async def health() -> HealthOut:
    """The process is up."""
    return HealthOut()


NOT_READY = {"model": ReadyOut, "description": "Not ready: the engines are loading, failed, or do not answer."}


@router.get("/ready", operation_id="ready", response_model=ReadyOut, responses={503: NOT_READY})
async def ready(loader: EngineLoaderDep, request: Request) -> JSONResponse:
    """Both engines are loaded and answering (503 otherwise). The audit store's state is told, and
    does not make the service unready: answers go on while it is degraded."""
    writer = state_of(request).audit
    why = writer.degraded if writer is not None else None
    audit: AuditState = "off" if writer is None else "degraded" if why else "ok"
    if loader.state is not LoadState.READY or loader.value is None:
        body = ReadyOut(status=loader.state.value, engines={}, detail=loader.error, audit=audit, audit_detail=why)
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
    states, failures = await check_all(loader.value.by_name())
    ok = not failures
    pools = [_pool_out(name, pool) for name, pool in loader.value.pools().items()]
    body = ReadyOut(
        status="ready" if ok else "failed",
        engines=states,
        pools=pools or None,
        detail="; ".join(failures) or None,
        audit=audit,
        audit_detail=why,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if ok else 503)


def _pool_out(name: str, pool: ReplicaPool) -> PoolOut:
    replicas = [ReplicaOut.model_validate(state, from_attributes=True) for state in pool.states()]
    return PoolOut(name=name, ready=any(r.ready for r in replicas), replicas=replicas)
