"""A client that goes away takes its work with it.

FastAPI runs a handler to the end even after its client disconnected: an abandoned best-of-N
request would keep N chains decoding for nobody. `with_cancellation` (vLLM's pattern, from its
`entrypoints`) races the handler against the ASGI `http.disconnect` message and cancels the
handler on disconnect; the pipeline unwinds on the cancellation and the engines abort its
requests. A streaming response, once returned, watches for the disconnect itself.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from fastapi import Request, Response

P = ParamSpec("P")
R = TypeVar("R")

CLIENT_CLOSED = 499  # nginx's code: nobody is left to read it


async def _disconnected(request: Request) -> None:
    # The body was already read into the handler's arguments: what is left to receive is the
    # disconnect (this consumes every other message, so it is for parsed-body routes only).
    while (await request.receive())["type"] != "http.disconnect":
        pass


def with_cancellation(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | Response]]:
    """Wrap a route whose `request` keyword is the Starlette request."""

    @functools.wraps(handler)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        request = kwargs["request"]
        assert isinstance(request, Request)
        work: asyncio.Task[Any] = asyncio.ensure_future(handler(*args, **kwargs))
        gone = asyncio.ensure_future(_disconnected(request))
        await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
        if work.done():
            gone.cancel()
            return work.result()
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)  # let the pipeline unwind (engines abort)
        return Response(status_code=CLIENT_CLOSED)

    return wrapper
