"""Dependencies the routes declare with `Annotated`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.config import Settings
from app.engines.container import EngineHolder, EngineState
from app.errors import EngineError, NotReady
from app.service.solve import SolveService


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_holder(request: Request) -> EngineHolder:
    return request.app.state.engines


def get_solve_service(request: Request) -> SolveService:
    """The service, once the engines are up. Called inside routes, after the body is validated,
    so a bad request gets its 422 whatever state the engines are in."""
    holder: EngineHolder = request.app.state.engines
    if holder.state is EngineState.LOADING:
        raise NotReady("the engines are still loading; retry in a few seconds (GET /ready tells when)")
    if holder.state is EngineState.FAILED:
        raise EngineError("engines", f"the engines failed to start: {holder.error}")
    return request.app.state.solve_service


async def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, f"send the body as application/json, not {content_type or 'no content type'}")


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[EngineHolder, Depends(get_holder)]
