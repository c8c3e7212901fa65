"""Where the heavy step checkers run: a pool of processes of their own, each check with a timeout
that kills the process running it (a parser stuck on adversarial LaTeX cannot be interrupted any
other way). The pool starts on the first heavy check, so a server whose formats need none never
starts it. The reward worker serves the same pool behind `POST /check` (`RemoteChecks`)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Protocol

from pebble import ProcessPool

from app.checks.registry import check_one
from app.checks.verdicts import NO_CLAIM, StepCheck

log = logging.getLogger(__name__)

CheckItem = tuple[Sequence[str], str]  # the steps before, and the step to check
# What a pool process runs for one step: (checker, problem, steps before, step) → its verdict.
# A module-level function, so a spawned process can import it by name.
RunCheck = Callable[[str, str, Sequence[str], str], StepCheck]


class HeavyChecks(Protocol):
    """Runs one heavy checker over steps; a step whose check fails or times out is `none`."""

    async def check(self, name: str, problem: str, items: Sequence[CheckItem], request_id: str) -> list[StepCheck]: ...

    async def close(self) -> None: ...


class CheckPool:
    def __init__(self, workers: int, timeout_s: float, run: RunCheck = check_one) -> None:
        self._workers, self._timeout_s, self._run = workers, timeout_s, run
        self._pool: ProcessPool | None = None
        self.timeouts = 0

    def _started(self) -> ProcessPool:
        if self._pool is None:
            # spawn: a fork of a process running engine threads is not safe
            self._pool = ProcessPool(max_workers=self._workers, context=multiprocessing.get_context("spawn"))
        return self._pool

    async def check(self, name: str, problem: str, items: Sequence[CheckItem], request_id: str) -> list[StepCheck]:
        pool = self._started()
        futures = [
            pool.schedule(self._run, args=(name, problem, list(previous), step), timeout=self._timeout_s)
            for previous, step in items
        ]
        results = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures), return_exceptions=True)
        verdicts = []
        for result in results:
            if isinstance(result, StepCheck):
                verdicts.append(result)
                continue
            if isinstance(result, TimeoutError):
                self.timeouts += 1
            log.warning("request %s: %s check gave no verdict: %r", request_id, name, result)
            verdicts.append(NO_CLAIM)
        return verdicts

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            await asyncio.to_thread(self._pool.join)
