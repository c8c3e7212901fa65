"""Dependencies the routes declare with `Annotated`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel

from app.api.state import state_of
from app.config import Settings
from app.engines.container import Engines
from app.errors import NotReady
from app.service.params import RequestPolicy
from app.service.solve import SolveService
from app.web.cancellation import with_cancellation
from app.web.loading import Loader
from app.web.sse import EVENT_STREAM

P = ParamSpec("P")
R = TypeVar("R")


def get_settings(request: Request) -> Settings:
    return state_of(request).settings


def get_policy(request: Request) -> RequestPolicy:
    return state_of(request).policy


def get_engine_loader(request: Request) -> Loader[Engines]:
    return state_of(request).engine_loader


def solve_service_of(request: Request) -> SolveService:
    """The service, once the engines are up (503 while they load). Routes call it after they have
    translated the request, so a bad request gets its 4xx whatever state the engines are in."""
    state = state_of(request)
    state.engine_loader.get()
    if state.solve_service is None:  # loaded, and the service not built on them yet
        raise NotReady("the engines are loaded and the service is starting")
    return state.solve_service


async def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, f"send the body as application/json, not {content_type or 'no content type'}")


def answer_route(
    router: APIRouter, path: str, operation_id: str, model: type[BaseModel], errors: dict[int | str, Any], streamed: str
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R | Response]]]:
    """A POST route that answers a problem: a JSON body in; `model` out, or with `stream: true` the
    event stream `streamed` describes. A client that goes away cancels it (`with_cancellation`)."""
    register = router.post(
        path,
        operation_id=operation_id,
        response_model=model,
        responses={**errors, 200: {"content": EVENT_STREAM, "description": streamed}},
        dependencies=[Depends(require_json)],
    )

    def route(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | Response]]:
        return register(with_cancellation(handler))

    return route


SettingsDep = Annotated[Settings, Depends(get_settings)]
PolicyDep = Annotated[RequestPolicy, Depends(get_policy)]
EngineLoaderDep = Annotated[Loader[Engines], Depends(get_engine_loader)]
