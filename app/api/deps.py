"""Dependencies the routes declare with `Annotated`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel

from app.config import Settings
from app.engines.container import Engines
from app.service.params import RequestPolicy
from app.service.solve import SolveService
from app.web.cancellation import with_cancellation
from app.web.loading import Loader
from app.web.sse import EVENT_STREAM

P = ParamSpec("P")
R = TypeVar("R")


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
