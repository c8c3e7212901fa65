"""Dynamic batching: the /score requests that arrive while the engine is busy go to it together.

vLLM batches whatever it holds at each step, but a request that arrives mid-call would wait for
the next scheduler step on its own; gathering the queue into one `score_many` call puts every
waiting chain into the same forward passes.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.engines.protocols import StepScores
from app.errors import BonError, EngineError
from app.web.request_id import request_id_var

log = logging.getLogger(__name__)


class BatchScorer(Protocol):
    async def score_many(
        self, items: Sequence[tuple[str, Sequence[Sequence[str]]]], request_id: str
    ) -> list[StepScores | BonError]: ...


@dataclass
class _Pending:
    problem: str
    chains: list[list[str]]
    request_id: str  # the caller's, so a batch's log lines name the requests it served
    future: asyncio.Future[StepScores] = field(repr=False)


class ScoreBatcher:
    def __init__(
        self,
        scorer: BatchScorer,
        service: str,
        max_batch_chains: int = 1024,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._scorer = scorer
        self._service = service
        self._max_chains = max_batch_chains
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._batch_ids = itertools.count()
        self._on_batch = on_batch  # told how many requests each engine call serves (metrics)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self._service}-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def score(self, problem: str, chains: list[list[str]]) -> StepScores:
        future: asyncio.Future[StepScores] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(problem, chains, request_id_var.get(), future))
        return await future

    def _take_batch(self, first: _Pending) -> list[_Pending]:
        batch, chains = [first], len(first.chains)
        while not self._queue.empty() and chains < self._max_chains:
            item = self._queue.get_nowait()
            batch.append(item)
            chains += len(item.chains)
        return batch

    async def _run(self) -> None:
        while True:
            batch = [p for p in self._take_batch(await self._queue.get()) if not p.future.done()]
            if not batch:
                continue
            if self._on_batch is not None:
                self._on_batch(len(batch))
            batch_id = f"{self._service}-batch{next(self._batch_ids)}"
            requests = ", ".join(p.request_id for p in batch)
            log.debug("%s: %d requests (%s)", batch_id, len(batch), requests)
            try:
                results = await self._scorer.score_many([(p.problem, p.chains) for p in batch], batch_id)
            except Exception as exc:  # keep serving: fail this batch's requests, not the loop
                log.exception("%s failed; requests %s", batch_id, requests)
                error = exc if isinstance(exc, BonError) else EngineError(self._service, f"scoring failed: {exc}")
                results = [error] * len(batch)
            for pending, result in zip(batch, results, strict=True):
                if pending.future.done():  # the client went away
                    continue
                if isinstance(result, BaseException):
                    pending.future.set_exception(result)
                else:
                    pending.future.set_result(result)
