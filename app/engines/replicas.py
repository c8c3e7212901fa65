"""A pool of replicas of one remote engine, and which of them serves a request.

Every call of one request goes to the same replica, picked by a rendezvous hash of the request's
key over the healthy replicas: its N chains share one prompt prefill, and a growing chain is
re-read through that replica's prefix cache. A call fails over to the next replica in the key's
order only while nothing of its answer has come back (`EngineUnreachable`), so no chain is lost or
sampled twice; the replica that failed is set aside for a while and probed again by `/ready`.

The pool is named by URLs, or by a DNS name that resolves to several addresses (a Kubernetes
headless Service): each address is a replica, and the name is resolved again as pods come and go.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import ipaddress
import socket
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import httpx

from app.engines.http_common import probe, request_json, stream_events
from app.errors import BonError, EngineUnavailable, EngineUnreachable

Resolver = Callable[[str, int], Awaitable[list[str]]]  # host, port → its addresses
Connect = Callable[[str], httpx.AsyncClient]  # a replica's base URL → a pooled client for it


async def resolve_host(host: str, port: int) -> list[str]:
    """The host's addresses (IPv4 where it has any: a headless Service's records are)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    v4 = [a for a in addresses if ipaddress.ip_address(a).version == 4]
    return v4 or addresses


@dataclass
class Endpoint:
    """One replica, and what the pool knows of it: its calls, failures, and when it may be tried again."""

    url: str
    client: httpx.AsyncClient
    down_until: float = 0.0
    last_error: str | None = None
    requests: int = 0
    errors: int = 0
    in_flight: int = 0  # calls under way: a replica gone from DNS is closed once none is left

    def weight(self, key: str) -> int:
        return rendezvous_weight(key, self.url)

    def ready(self, now: float) -> bool:
        return self.down_until <= now

    def set_aside(self, until: float, why: str) -> None:
        self.down_until = until
        self.last_error = why


def rendezvous_weight(key: str, url: str) -> int:
    """A replica's weight for `key`: the replica with the highest serves the key. Adding or removing
    a replica moves only the keys it wins or won."""
    return int.from_bytes(hashlib.blake2b(f"{key}|{url}".encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True, slots=True)
class ReplicaState:
    """What `/ready` and `/metrics` tell of one replica."""

    url: str
    ready: bool
    detail: str | None  # why it is set aside
    requests: int
    errors: int


@dataclass
class Target:
    """One URL the settings name; `addresses` are those its host had when last resolved."""

    url: str
    addresses: list[str] = field(default_factory=list)
    resolved_at: float | None = None


def expandable(url: str) -> bool:
    """Whether the URL's host names addresses to use one by one: not an address already, and not
    over TLS (a certificate names the host, not its addresses)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        return False
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return True
    return False


def with_address(url: str, address: str) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit(parts._replace(netloc=netloc)).rstrip("/")


class OnReplicas:
    """An engine adapter over a pool: its view for one request (`pinned`) sends every call to the
    replica that request's key picks; unpinned, each call picks by its own id."""

    _pool: ReplicaPool
    _key: str | None = None

    def pinned(self, key: str) -> Self:
        view = copy.copy(self)
        view._key = key
        return view

    def replicas(self) -> ReplicaPool:
        return self._pool

    async def close(self) -> None:
        await self._pool.aclose()


class ReplicaPool:
    def __init__(
        self,
        service: str,
        urls: Sequence[str],
        connect: Connect,
        *,
        resolve_every_s: float = 10.0,
        down_for_s: float = 5.0,
        resolver: Resolver = resolve_host,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError(f"a pool of {service} replicas needs at least one URL")
        self.service = service
        self._targets = [Target(u.rstrip("/")) for u in urls]
        self._connect = connect
        self._resolve_every_s = resolve_every_s
        self._down_for_s = down_for_s
        self._resolver = resolver
        self._clock = clock
        self._endpoints: dict[str, Endpoint] = {}
        self._refreshing = asyncio.Lock()  # one resolution at a time: endpoints come and go in order
        self._retired: list[Endpoint] = []  # gone from DNS, with calls still under way
        self.failovers = 0

    @property
    def endpoints(self) -> list[Endpoint]:
        return list(self._endpoints.values())

    async def ranked(self, key: str) -> list[Endpoint]:
        """Every replica in the order `key` tries them: the healthy ones by rendezvous weight,
        then those set aside (a last resort, in the same order)."""
        await self._refresh()
        now = self._clock()
        by_weight = sorted(self._endpoints.values(), key=lambda e: e.weight(key), reverse=True)
        return [e for e in by_weight if e.ready(now)] + [e for e in by_weight if not e.ready(now)]

    async def request_json(
        self, key: str, method: str, path: str, body: Any | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        """`request_json` on the key's replica, failing over while no answer came back."""
        failure: EngineUnreachable | None = None
        for endpoint in await self.ranked(key):
            try:
                with self._calling(endpoint):
                    return await request_json(endpoint.client, self.service, method, path, body, headers)
            except EngineUnreachable as exc:
                failure = self._failed(endpoint, exc)
        assert failure is not None
        raise failure

    async def stream_events(
        self, key: str, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> AsyncGenerator[Any, None]:
        """`stream_events` on the key's replica; it fails over only before the stream's first event."""
        failure: EngineUnreachable | None = None
        for endpoint in await self.ranked(key):
            started = False
            try:
                with self._calling(endpoint):
                    async for event in stream_events(endpoint.client, self.service, path, body, headers):
                        started = True
                        yield event
                    return
            except EngineUnreachable as exc:
                if started:  # cannot happen (a lost stream is Unavailable once it began): never resend
                    raise
                failure = self._failed(endpoint, exc)
        assert failure is not None
        raise failure

    @contextlib.contextmanager
    def _calling(self, endpoint: Endpoint) -> Iterator[None]:
        """One call to `endpoint`, counted; a failure other than not reaching it is its error (not
        reaching it is the caller's to handle: it fails over)."""
        endpoint.requests += 1
        endpoint.in_flight += 1
        try:
            yield
        except EngineUnreachable:
            raise
        except BonError as exc:
            endpoint.errors += 1
            endpoint.last_error = str(exc)
            raise
        finally:
            endpoint.in_flight -= 1

    def _failed(self, endpoint: Endpoint, exc: EngineUnreachable) -> EngineUnreachable:
        endpoint.errors += 1
        endpoint.set_aside(self._clock() + self._down_for_s, exc.message)
        self.failovers += 1
        return exc

    async def check(self, path: str, check: Callable[[httpx.AsyncClient], Awaitable[None]] | None = None) -> None:
        """Probe every replica (`check`, or a GET of `path`): each answer sets it up or aside.
        Raises unless at least one answers."""
        await self._refresh()
        endpoints = self.endpoints
        results = await asyncio.gather(*(self._probe(e, path, check) for e in endpoints), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if len(failures) == len(endpoints):
            reasons = "; ".join(str(f) for f in failures)
            raise EngineUnavailable(self.service, f"no replica answers ({reasons})")

    async def _probe(
        self, endpoint: Endpoint, path: str, check: Callable[[httpx.AsyncClient], Awaitable[None]] | None
    ) -> None:
        try:
            await (check(endpoint.client) if check is not None else probe(endpoint.client, self.service, path))
        except BonError as exc:
            endpoint.set_aside(self._clock() + self._down_for_s, exc.message)
            raise
        endpoint.down_until = 0.0
        endpoint.last_error = None

    def states(self) -> list[ReplicaState]:
        """Each replica's state, for `/ready` and `/metrics`: up, or why it is set aside."""
        now = self._clock()
        return [self._state(e, e.ready(now)) for e in self._endpoints.values()]

    @staticmethod
    def _state(endpoint: Endpoint, ready: bool) -> ReplicaState:
        why = None if ready else endpoint.last_error or "failed"
        return ReplicaState(endpoint.url, ready, why, endpoint.requests, endpoint.errors)

    async def _refresh(self) -> None:
        """Resolve the targets' names again when due, and keep one endpoint for each address."""
        now = self._clock()
        due = [t for t in self._targets if t.resolved_at is None or now - t.resolved_at >= self._resolve_every_s]
        if not due and self._endpoints:
            return
        async with self._refreshing:
            for target in due:
                await self._resolve(target, now)
            wanted = list(dict.fromkeys(u for t in self._targets for u in self._urls_of(t)))
            for url in wanted:
                if url not in self._endpoints:
                    self._endpoints[url] = Endpoint(url, self._connect(url))
            for url in list(self._endpoints):
                if url not in wanted:
                    self._retired.append(self._endpoints.pop(url))
            await self._close_idle_retired()

    async def _close_idle_retired(self) -> None:
        """Close the clients of replicas gone from DNS once their last call is over (closing one
        under a stream would cut it)."""
        idle = [e for e in self._retired if e.in_flight == 0]
        self._retired = [e for e in self._retired if e.in_flight]
        await asyncio.gather(*(e.client.aclose() for e in idle), return_exceptions=True)

    async def _resolve(self, target: Target, now: float) -> None:
        target.resolved_at = now
        parts = urlsplit(target.url)
        if not expandable(target.url) or parts.hostname is None:
            return
        # A name that does not resolve now (a Service with no pods yet) keeps what was known.
        with contextlib.suppress(OSError):
            target.addresses = await self._resolver(parts.hostname, parts.port or 80)

    @staticmethod
    def _urls_of(target: Target) -> list[str]:
        if not target.addresses:  # an address, TLS, or a name not resolved yet: as named
            return [target.url]
        return [with_address(target.url, a) for a in target.addresses]

    async def aclose(self) -> None:
        clients = [e.client for e in (*self._endpoints.values(), *self._retired)]
        self._endpoints.clear()
        self._retired.clear()
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
