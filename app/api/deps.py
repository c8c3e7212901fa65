"""Dependencies the routes declare with `Annotated`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.config import Settings
from app.engines.container import Engines
from app.service.params import RequestPolicy
from app.service.solve import SolveService
from app.web.loading import Loader


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_policy(request: Request) -> RequestPolicy:
    return request.app.state.policy


def get_engine_loader(request: Request) -> Loader[Engines]:
    return request.app.state.engine_loader


def solve_service_of(request: Request) -> SolveService:
    """The service, once the engines are up (503 while they load). Routes call it after they have
    translated the request, so a bad request gets its 4xx whatever state the engines are in."""
    get_engine_loader(request).get()
    return request.app.state.solve_service


async def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, f"send the body as application/json, not {content_type or 'no content type'}")


SettingsDep = Annotated[Settings, Depends(get_settings)]
PolicyDep = Annotated[RequestPolicy, Depends(get_policy)]
EngineLoaderDep = Annotated[Loader[Engines], Depends(get_engine_loader)]
