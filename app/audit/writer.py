"""Writing audit records off the hot path.

A solved request hands its record to a bounded buffer and goes on; one task writes the buffer to
the store in batches. A slow or stopped database never fails or slows a request: the batch in hand
is retried (with a growing pause) while new records wait in the buffer, and once the buffer is
full a record is dropped and counted (`bon_audit_records_dropped_total`). `/ready` says the store
is degraded while writes fail or records are being dropped. The retention sweep runs in the same
task, so it never races the writer inside one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge

from app.audit.record import Entry, Row, canonical
from app.audit.store import AuditStore

log = logging.getLogger(__name__)

MakeEntry = Callable[[], Entry]  # built in the writer's task: serializing the chains is off the hot path too
MAX_BATCH = 64
# A record waits this long for others to share its transaction: under load one commit carries many
# records (a commit costs about as much as a few records' inserts), idle it costs 50 ms of delay.
LINGER_S = 0.05
FIRST_RETRY_PAUSE_S = 0.1  # doubling up to the most
MAX_RETRY_PAUSE_S = 5.0


class AuditMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.written = Counter("bon_audit_records_written", "Audit records written to the store.", registry=registry)
        self.dropped = Counter(
            "bon_audit_records_dropped",
            "Audit records lost: buffer_full (the store was too slow or down), unserializable, or shutdown (still "
            "buffered when the flush time ran out).",
            ["reason"],
            registry=registry,
        )
        self.write_failures = Counter(
            "bon_audit_write_failures", "Failed attempts to write a batch of audit records.", registry=registry
        )
        self.buffered = Gauge("bon_audit_buffered", "Audit records waiting to be written.", registry=registry)


@dataclass(frozen=True, slots=True)
class Retention:
    days: float
    sweep_interval_s: float


class AuditWriter:
    def __init__(
        self,
        store: AuditStore,
        metrics: AuditMetrics,
        capacity: int = 4096,
        retention: Retention | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        drop_memory_s: float = 60.0,
    ) -> None:
        self.store = store
        self._metrics = metrics
        self._capacity = capacity  # records waiting, in the queue and in the batch in hand together
        self._buffer: asyncio.Queue[MakeEntry | None] = asyncio.Queue()  # None: stop, all before it written
        self._accepted = 0  # records buffered since start…
        self._settled = 0  # …and written or given up (unserializable): pending is the difference
        self._retention = retention
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._failing: str | None = None  # why the last write failed, until one succeeds
        self._drop_memory_s = drop_memory_s  # how long a drop keeps the store "degraded"
        self._recent_drops = 0
        self._last_drop = -math.inf
        self._next_sweep = time.monotonic()
        self._ready = asyncio.Event()  # set once the schema is migrated
        self.closed = False

    @property
    def migrated(self) -> bool:
        return self._ready.is_set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def started(self, timeout_s: float) -> bool:
        """Wait (at most `timeout_s`) for the schema: a store that is up is ready before the first
        request; one that is down is waited for in the background."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout_s)
        return self.migrated

    def submit(self, make: MakeEntry) -> None:
        """Buffer a record (never waits); a full buffer drops it, counted."""
        if self.closed:
            self._drop("shutdown")
            return
        if self.pending >= self._capacity:
            self._drop("buffer_full")
            return
        self._buffer.put_nowait(make)
        self._accepted += 1
        self._metrics.buffered.set(self.pending)

    async def record_now(self, entry: Entry) -> Row:
        """Write one record before going on (an admin's read: no read goes unrecorded, so a read
        fails when its record cannot be written)."""
        if not await self.started(self.store.timeout_s):
            raise RuntimeError(f"the audit store is not ready ({self._failing or 'migrating'})")
        (row,) = await asyncio.wait_for(self.store.append([entry]), self.store.timeout_s * 2)
        self._metrics.written.inc()
        return row

    @property
    def pending(self) -> int:
        return self._accepted - self._settled

    @property
    def degraded(self) -> str | None:
        """Why the store is degraded (writes failing, records dropped), or None."""
        if self._failing is not None:
            return f"audit store failing ({self._failing}); {self.pending} records buffered"
        if not self.migrated:
            return "audit store starting"
        if time.monotonic() - self._last_drop < self._drop_memory_s:
            return (
                f"{self._recent_drops} audit records dropped in the last {self._drop_memory_s:g} s: "
                "the store cannot keep up"
            )
        return None

    async def close(self, timeout_s: float) -> None:
        """Stop taking records, write what is buffered (for at most `timeout_s`), close the store."""
        self.closed = True
        if self._task is not None:
            self._buffer.put_nowait(None)  # the writer stops once everything before it is written
            done, _ = await asyncio.wait({self._task}, timeout=timeout_s)
            if not done:
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=1.0)
        lost = self.pending
        if lost:
            log.error("%d audit records were still buffered at shutdown and are lost", lost)
            self._metrics.dropped.labels("shutdown").inc(lost)
        await self.store.close()

    def _drop(self, reason: str) -> None:
        now = time.monotonic()
        if now - self._last_drop >= self._drop_memory_s:
            self._recent_drops = 0
        self._recent_drops += 1
        self._last_drop = now
        self._metrics.dropped.labels(reason).inc()
        if self._recent_drops == 1 or self._recent_drops % 100 == 0:
            log.error("audit record dropped (%s); %d recently", reason, self._recent_drops)

    async def _migrate(self) -> None:
        """The schema, before anything is written: a database down at start-up is waited for
        (records buffer meanwhile), not a reason for the service not to start."""
        pause = FIRST_RETRY_PAUSE_S
        while True:
            try:
                await self.store.migrate()
            except Exception as exc:
                pause = await self._retry_after(exc, "audit store unreachable at start-up", pause)
                continue
            self._failing = None
            self._ready.set()
            return

    async def _retry_after(self, exc: Exception, what: str, pause: float) -> float:
        """A failed attempt: logged when it starts a failing spell, then a pause; the next pause."""
        if self._failing is None:
            log.error("%s, retrying (requests go on): %s", what, exc)
        self._failing = type(exc).__name__
        await asyncio.sleep(pause)
        return min(pause * 2, MAX_RETRY_PAUSE_S)

    async def _run(self) -> None:
        await self._migrate()
        while True:
            try:
                first = await asyncio.wait_for(self._buffer.get(), self._until_sweep())
            except TimeoutError:  # idle: the sweep still runs on time
                await self._sweep_when_due()
                continue
            if first is None:
                return
            more, stop = await self._more(MAX_BATCH - 1)
            makers = [first, *more]
            await self._write(self._entries(makers))
            self._settled += len(makers)
            self._metrics.buffered.set(self.pending)
            if stop:
                return
            await self._sweep_when_due()

    async def _more(self, at_most: int) -> tuple[list[MakeEntry], bool]:
        """What else arrives within the linger time, up to `at_most`; and whether the stop came."""
        more: list[MakeEntry] = []
        deadline = asyncio.get_running_loop().time() + LINGER_S
        while len(more) < at_most:
            if self._buffer.empty():
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self._buffer.get(), left)
                except TimeoutError:
                    break
            else:
                item = self._buffer.get_nowait()
            if item is None:
                return more, True
            more.append(item)
        return more, False

    def _serializable(self, entries: list[Entry]) -> list[Entry]:
        kept = []
        for entry in entries:
            try:
                canonical(entry.content)
            except (ValueError, TypeError):
                log.error("audit record of request %s cannot be written as JSON; dropped", entry.request_id)
                self._metrics.dropped.labels("unserializable").inc()
                continue
            kept.append(entry)
        return kept

    def _entries(self, makers: list[MakeEntry]) -> list[Entry]:
        entries = []
        for make in makers:
            try:
                entries.append(make())
            except Exception:
                log.exception("an audit record could not be built")
                self._metrics.dropped.labels("unserializable").inc()
        return entries

    async def _write(self, entries: list[Entry]) -> None:
        """Until it is written: the batch in hand is not given up while the store is down."""
        pause = FIRST_RETRY_PAUSE_S
        while entries:
            try:
                await asyncio.wait_for(self.store.append(entries), self.store.timeout_s * 2)
            except (ValueError, TypeError):  # a record JSON cannot hold (a NaN score): not the store's fault
                entries = self._serializable(entries)
                continue
            except Exception as exc:
                self._metrics.write_failures.inc()
                pause = await self._retry_after(exc, "audit store write failed", pause)
                continue
            self._metrics.written.inc(len(entries))
            if self._failing is not None:
                log.warning("audit store writes again")
            self._failing = None
            return

    def _until_sweep(self) -> float | None:
        return None if self._retention is None else max(self._next_sweep - time.monotonic(), 0.0)

    async def _sweep_when_due(self) -> None:
        if self._retention is None or time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + self._retention.sweep_interval_s
        await self.sweep()

    async def sweep(self) -> int | None:
        """Remove the records past retention; the sweep is itself recorded. The seq of the last
        record removed, or None."""
        if self._retention is None:
            return None
        now = self._clock()
        try:
            anchor = await self.store.sweep(now - timedelta(days=self._retention.days), now, self._retention.days)
            if anchor is None:
                return None
        except Exception as exc:
            log.error("audit retention sweep failed (tried again later): %s", exc)
            return None
        log.info("audit retention: records up to %d removed (older than %g days)", anchor.seq, self._retention.days)
        return anchor.seq
