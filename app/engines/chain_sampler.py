"""Chains started and stopped one at a time while they decode: each chain is its own engine
request, read by its own task, and the deltas of all of them come out of one iterator.

Both generators build on it (in process: one AsyncLLM request per chain; remote: one streamed
completion per chain), given what decodes chain i. Cancelling a chain's task closes its request,
and the engine aborts it (AsyncLLM on the generator's way out, vLLM's server when the stream
closes).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from app.core.votes import ABORTED
from app.engines.protocols import ChainDelta, ChainSampler
from app.errors import BonError, EngineError

ChainSource = Callable[[int], AsyncIterator[ChainDelta]]  # chain index → its deltas


async def all_chains(sampler: ChainSampler, n: int) -> AsyncGenerator[ChainDelta, None]:
    """`n` chains of a sampler launched at once, their deltas interleaved; closing this (or
    cancelling its reader) stops every chain still running."""
    try:
        sampler.launch(n)
        async for delta in sampler:
            yield delta
    finally:
        await sampler.aclose()


class TaskChainSampler:
    def __init__(self, source: ChainSource, service: str, name: str) -> None:
        self._source = source
        self._service = service
        self._name = name
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._deltas: asyncio.Queue[ChainDelta | BaseException] = asyncio.Queue()
        self._launched = 0
        self._running = 0  # chains whose last delta has not been read yet

    @property
    def launched(self) -> int:
        return self._launched

    def launch(self, count: int) -> None:
        for index in range(self._launched, self._launched + count):
            self._tasks[index] = asyncio.create_task(self._decode(index), name=f"{self._name}-{index}")
        self._launched += count
        self._running += count

    def abort(self, index: int) -> None:
        task = self._tasks.pop(index, None)
        if task is None or task.done():
            return  # it ended already: its last delta is on its way
        task.cancel()
        self._deltas.put_nowait(ChainDelta(index, "", 0, ABORTED))

    async def _decode(self, index: int) -> None:
        try:
            async for delta in self._source(index):
                self._deltas.put_nowait(delta)
                if delta.finish_reason is not None:
                    break
            else:
                self._deltas.put_nowait(EngineError(self._service, f"chain {index} ended without a finish reason"))
        except BonError as exc:  # (a cancelled chain's CancelledError passes: it is no Exception)
            self._deltas.put_nowait(exc)
        except Exception as exc:  # the engine's own errors are many; name the failing service
            self._deltas.put_nowait(EngineError(self._service, f"generation failed: {exc}"))
        finally:
            self._tasks.pop(index, None)

    async def __aiter__(self) -> AsyncIterator[ChainDelta]:
        """Every chain's deltas, interleaved, until no chain runs (a chain launched while this is
        read is read too). A failing chain raises here."""
        while self._running:
            item = await self._deltas.get()
            if isinstance(item, BaseException):
                raise item
            self._running -= item.finish_reason is not None
            yield item

    async def aclose(self) -> None:
        """Stop every chain still running (their engine requests are aborted)."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
