"""Admission: at most `slots` requests run at once; the next ones wait in a bounded queue instead of
being refused, and no client can starve the others.

Waiting requests are queued per client (the API key's id) and served round robin: a client that
sent fifty requests gets one slot in turn with one that sent one. A request is refused (429) only
when the queue is full, or when it has waited as long as it may (`max_wait_s`, never past the
request's own deadline); a waiter that goes away leaves the queue.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.errors import Overloaded


class Admission:
    def __init__(self, slots: int, max_queued: int, max_wait_s: float) -> None:
        if slots < 1 or max_queued < 0 or max_wait_s < 0:
            raise ValueError("slots must be at least 1, max_queued and max_wait_s at least 0")
        self._free = slots
        self._max_queued = max_queued
        self._max_wait_s = max_wait_s
        self._queues: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()  # client → its waiters

    @property
    def queued(self) -> int:
        return sum(len(q) for q in self._queues.values())

    @property
    def free(self) -> int:
        return self._free

    @property
    def running(self) -> bool:
        return self._free == 0

    @asynccontextmanager
    async def slot(self, client: str = "-", wait_s: float | None = None) -> AsyncIterator[None]:
        """Hold a slot for the block; wait for one at most `wait_s` (and `max_wait_s`)."""
        await self._acquire(client, self._max_wait_s if wait_s is None else min(wait_s, self._max_wait_s))
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, client: str, wait_s: float) -> None:
        if self._free > 0 and not self._queues:
            self._free -= 1
            return
        if self.queued >= self._max_queued:
            raise Overloaded(f"every slot is busy and {self.queued} requests wait already; retry shortly", "queue_full")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(client, deque()).append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), wait_s)
        except (TimeoutError, asyncio.CancelledError) as exc:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot came as we gave up: pass it on
            else:
                waiter.cancel()
                self._forget(client, waiter)
            if isinstance(exc, TimeoutError):
                raise Overloaded(f"no slot came free within {wait_s:g} s; retry shortly", "wait_timeout") from None
            raise

    def _release(self) -> None:
        """A slot is free: the next waiter, taking clients in turn, or the pool."""
        while self._queues:
            client, waiters = next(iter(self._queues.items()))
            waiter = waiters.popleft()
            if waiters:
                self._queues.move_to_end(client)  # its next request waits for the others' turn
            else:
                del self._queues[client]
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def _forget(self, client: str, waiter: asyncio.Future[None]) -> None:
        waiters = self._queues.get(client)
        if waiters is not None and waiter in waiters:
            waiters.remove(waiter)
            if not waiters:
                del self._queues[client]
