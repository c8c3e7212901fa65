"""Answers kept so that their search can go on (`POST /solve/{request_id}/continue`): the chains
sampled and scored, and what they cost, for a bounded time after the answer.

This is each process's memory of its own answers; an answer it does not hold (after a restart, or
given by another replica) is recalled from the audit store instead (`Continuations`). An entry is
taken out while it is being continued (a second continuation at once is refused, not raced) and
put back, grown, when the continuation ends; one whose time ran out, or that made room for newer
ones, is remembered as gone for a while, so a client hears "expired" rather than "unknown".
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from app.core.adaptive import SearchTally
from app.errors import RequestBusy, RequestExpired, UnknownRequest
from app.service.outcome import ChainRecord, PruneEvent, StepNode, Usage
from app.service.params import SolveParams


@dataclass(frozen=True, slots=True)
class KeptSearch:
    """One answered request, as a continuation resumes it."""

    params: SolveParams
    chains: tuple[ChainRecord, ...]  # every chain started so far, in launch order
    usage: Usage  # what every run so far cost, together
    search: SearchTally | None
    continued: int = 0  # continuations so far
    prunes: tuple[PruneEvent, ...] = ()  # chains the search cut, every run so far
    owner: str = "-"  # the key that asked: only it may continue the search
    tree: tuple[StepNode, ...] = ()  # the steps a step-level search decoded, every run so far
    notes: tuple[str, ...] = ()  # the client's notes, every run so far (a continuation's chains read them all)


class KeptSearches:
    def __init__(
        self, ttl_s: float, max_kept: int, max_chains: int = 256, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._max_kept = max_kept
        self.max_chains = max_chains  # the most one answer may have, every continuation together
        self._clock = clock
        self._kept: OrderedDict[str, tuple[float, KeptSearch]] = OrderedDict()  # oldest first
        # Whose each request is, while busy or remembered as gone: a key is told nothing about
        # another key's answers, not even that they are busy or expired.
        self._busy: dict[str, str] = {}
        self._gone: OrderedDict[str, str] = OrderedDict()

    @property
    def ttl_s(self) -> float:
        return self._ttl_s

    def keep(self, request_id: str, kept: KeptSearch, *, continued: bool = False) -> None:
        """Keep (or keep again, for another `ttl_s`) a request's search. A request being continued
        is not replaced by another answer that reuses its id (`continued`: this is its own)."""
        if request_id in self._busy and not continued:
            return
        self._busy.pop(request_id, None)
        self._gone.pop(request_id, None)
        self._kept.pop(request_id, None)
        self._kept[request_id] = (self._clock() + self._ttl_s, kept)
        self._expire()
        while len(self._kept) > self._max_kept:
            oldest, (_, gone) = self._kept.popitem(last=False)
            self._forget(oldest, gone.owner)

    def take(self, request_id: str) -> KeptSearch:
        """The kept search, marked busy until `keep` or `release`."""
        self._expire()
        if request_id in self._busy:
            raise RequestBusy(f"request {request_id} is being continued already; wait for that answer")
        if request_id in self._gone:
            raise RequestExpired(
                f"request {request_id} can no longer be continued: answers are kept for {self._ttl_s:g} s"
            )
        entry = self._kept.pop(request_id, None)
        if entry is None:
            raise UnknownRequest(f"no answer with request id {request_id} is kept here")
        self._busy[request_id] = entry[1].owner
        return entry[1]

    def owner_of(self, request_id: str) -> str | None:
        """The key whose answer this is, while it is kept here, being continued, or remembered
        as expired; None for an id unknown here."""
        self._expire()
        entry = self._kept.get(request_id)
        if entry is not None:
            return entry[1].owner
        return self._busy.get(request_id) or self._gone.get(request_id)

    def adopt(self, request_id: str, kept: KeptSearch) -> KeptSearch:
        """A search recalled from elsewhere (the audit store), taken as `take` takes one."""
        if request_id in self._busy:
            raise RequestBusy(f"request {request_id} is being continued already; wait for that answer")
        self._busy[request_id] = kept.owner
        return kept

    def release(self, request_id: str, kept: KeptSearch) -> None:
        """A continuation failed: the search is kept as it was."""
        self.keep(request_id, kept, continued=True)

    def __len__(self) -> int:
        self._expire()
        return len(self._kept)

    def _expire(self) -> None:
        now = self._clock()
        while self._kept:
            request_id, (deadline, _) = next(iter(self._kept.items()))
            if deadline > now:
                break
            owner = self._kept.pop(request_id)[1].owner
            self._forget(request_id, owner)

    def _forget(self, request_id: str, owner: str) -> None:
        self._gone[request_id] = owner
        while len(self._gone) > 16 * self._max_kept:  # ids long gone become unknown again
            self._gone.popitem(last=False)
