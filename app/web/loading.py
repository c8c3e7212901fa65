"""Loading a service's engines in the background, and saying how far it got.

Engine start-up blocks for tens of seconds, so it runs in a thread while the app already answers:
`/health` at once, `/ready` and the routes that need the engines with a clear 503 until they are
up, or with the start-up error once they have failed. Both apps (the API and the reward worker)
hold their engines in a `Loader`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from app.errors import BonError, EngineError, NotReady

log = logging.getLogger(__name__)

T = TypeVar("T")


class LoadState(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class Checkable(Protocol):
    async def check(self) -> None:
        """Raise a `BonError` when the engine cannot answer."""


class Loader(Generic[T]):
    """Holds what `load` builds once it is built; `get` is how routes reach it."""

    def __init__(self, what: str, service: str) -> None:
        self.what = what  # named in messages: "the engines", "the reward models"
        self.service = service  # the service an `EngineError` names
        self.state = LoadState.LOADING
        self.error: str | None = None
        self._value: T | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self, load: Callable[[], T], on_ready: Callable[[T], None] = lambda _: None) -> None:
        """Run `load` in a thread; then `on_ready` on the event loop (where tasks can be started)."""

        async def run() -> None:
            try:
                value = await asyncio.to_thread(load)
            except Exception as exc:
                log.exception("%s failed to start", self.what)
                self.state, self.error = LoadState.FAILED, str(exc)
                return
            self.use(value, on_ready)

        self._task = asyncio.create_task(run(), name=f"load {self.what}")

    def use(self, value: T, on_ready: Callable[[T], None] = lambda _: None) -> None:
        """Take `value` as loaded (also for engines built elsewhere, such as a test's)."""
        on_ready(value)
        self._value, self.state = value, LoadState.READY
        log.info("%s ready", self.what)

    def get(self) -> T:
        """The loaded value; a `NotReady` (503) while loading, an `EngineError` (424) once failed."""
        if self.state is LoadState.FAILED:
            raise EngineError(self.service, f"{self.what} failed to start: {self.error}")
        if self._value is None:
            raise NotReady(f"{self.what} are still loading; retry in a few seconds (GET /ready tells when)")
        return self._value

    @property
    def value(self) -> T | None:
        return self._value

    async def close(self, release: Callable[[T], Awaitable[None]] | None = None) -> None:
        """Stop a load still running; `release` what was loaded (skipped for values not ours to close)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if release is not None and self._value is not None:
            await release(self._value)


async def check_all(engines: Mapping[str, Checkable]) -> tuple[dict[str, str], list[str]]:
    """Ask every engine whether it answers: its state by name, and what failed, for `/ready`."""
    states: dict[str, str] = {}
    failures: list[str] = []
    for name, engine in engines.items():
        try:
            await engine.check()
            states[name] = "ready"
        except BonError as exc:
            states[name] = "unavailable"
            failures.append(exc.message)
    return states, failures
