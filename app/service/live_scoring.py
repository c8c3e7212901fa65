"""Scoring steps while the chains decode.

The reward model reads a chain's steps as soon as a separator settles them, while that chain and
the others keep decoding; when a chain finishes, its final steps are read unless an earlier call
already read exactly them. What ends up in the response is always the score of a chain's final
steps, so scoring early changes when the scores are known, never what they are.

Calls are batched: everything ready when the reward model is free goes in one call (the in-process
engine runs a call's chains in the same forward passes; the worker gathers calls across requests).
A partial chain waits while a call is in flight, since a newer version may supersede it; a finished
chain is sent at once, because the response waits for it. A chain read again after it grew costs the
reward model only its new tokens (the in-process scorer reads through vLLM's prefix cache and
remembers earlier steps' scores: `app/engines/tag_scores.py`).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.engines.protocols import ScoresSteps, StepScores

Steps = tuple[str, ...]


@dataclass
class _ChainScoring:
    wanted: Steps | None = None  # the newest steps not yet sent
    final: Steps | None = None  # set when the chain finished and is to be scored
    done: bool = False  # finished (scored or not)
    sending: Steps | None = None  # the steps of the call in flight
    read: Steps | None = None  # the steps of the last answered call
    scores: list[float] = field(default_factory=list)
    unread: bool = False


class LiveScorer:
    """One request's chains, scored as they grow. `partial=False` scores finished chains only
    (the outcome model, which judges a whole chain)."""

    def __init__(
        self,
        scorer: ScoresSteps,
        problem: str,
        n: int,
        request_id: str,
        partial: bool = True,
        on_scores: Callable[[int, Steps, list[float], bool], None] | None = None,
    ) -> None:
        """`on_scores(index, steps, scores, final)` is told of every chain's scores as they arrive
        (`final`: of its final steps; an unread chain's scores are empty)."""
        self._scorer = scorer
        self.on_scores = on_scores
        self._problem = problem
        self._request_id = request_id
        self._partial = partial
        self._chains = [_ChainScoring() for _ in range(n)]
        self._calls: set[asyncio.Task[None]] = set()
        self._numbers = itertools.count()
        self._changed = asyncio.Event()
        self._error: BaseException | None = None
        self._send_scheduled = False
        self.tokens_scored = 0
        self.tokens_cached = 0
        self.steps_scored = 0  # steps read so far, partial versions included

    def update(self, index: int, steps: Sequence[str]) -> None:
        """Chain `index` has these settled steps (it is still decoding)."""
        chain = self._chains[index]
        version = tuple(steps)
        if not self._partial or chain.done or not version or version in (chain.sending, chain.read):
            return
        chain.wanted = version
        self._send()

    def finish(self, index: int, steps: Sequence[str] | None) -> None:
        """Chain `index` finished with these steps; None when it is not to be scored (cut off by its
        budget, or no steps)."""
        chain = self._chains[index]
        chain.done = True
        chain.final = tuple(steps) if steps else None
        chain.wanted = chain.final if chain.final not in (chain.sending, chain.read) else None
        self._send()
        self._changed.set()
        if chain.final is not None and chain.final == chain.read and self.on_scores is not None:
            # Its last settled steps were its final ones, and were read while it decoded.
            self.on_scores(index, chain.final, [] if chain.unread else chain.scores, True)

    def final_scores(self, index: int) -> list[float] | None:
        """The scores of the chain's final steps, once known (empty when it could not be read)."""
        chain = self._chains[index]
        if chain.final is None or chain.read != chain.final:
            return None
        return [] if chain.unread else chain.scores

    async def settled(self) -> None:
        """Until every chain that finished so far has its final steps read."""
        await self._until(lambda c: not c.done or c.final is None or c.read == c.final)

    async def result(self) -> StepScores:
        """Every chain's final scores, once all chains have finished and been read."""
        await self._until(lambda c: c.done and (c.final is None or c.read == c.final))
        per_chain = [self.final_scores(i) or [] for i in range(len(self._chains))]
        unread = tuple(i for i, c in enumerate(self._chains) if c.final is not None and c.unread)
        return StepScores(per_chain, self.tokens_scored, unread, self.tokens_cached)

    async def _until(self, holds: Callable[[_ChainScoring], bool]) -> None:
        """Until `holds` is true of every chain (or a scoring call failed: raised here)."""
        while True:
            if self._error is not None:
                raise self._error
            if all(holds(c) for c in self._chains):
                return
            self._changed.clear()
            await self._changed.wait()

    async def aclose(self) -> None:
        self._error = self._error or asyncio.CancelledError()  # nothing more is sent
        for call in self._calls:
            call.cancel()
        await asyncio.gather(*self._calls, return_exceptions=True)

    def _send(self) -> None:
        # Sent on the loop's next turn: the chains that finish in one burst of deltas (decoding in
        # lockstep, they often do) go in one call, not one call each.
        if not self._send_scheduled:
            self._send_scheduled = True
            asyncio.get_running_loop().call_soon(self._send_now)

    def _send_now(self) -> None:
        self._send_scheduled = False
        ready = [
            i
            for i, c in enumerate(self._chains)
            if c.wanted is not None and c.sending is None and (c.wanted == c.final or not self._calls)
        ]
        if not ready or self._error is not None:
            return
        batch = [(i, self._chains[i].wanted) for i in ready]
        for i, steps in batch:
            self._chains[i].sending, self._chains[i].wanted = steps, None
        call = asyncio.create_task(self._call([(i, s) for i, s in batch if s is not None]))
        self._calls.add(call)
        call.add_done_callback(self._calls.discard)

    async def _call(self, batch: list[tuple[int, Steps]]) -> None:
        request_id = f"{self._request_id}-s{next(self._numbers)}"
        try:
            scored = await self._scorer.score(self._problem, [list(steps) for _, steps in batch], request_id)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # the request fails with the scorer's error, as it would have
            self._error = exc
            self._changed.set()
            return
        self.tokens_scored += scored.tokens_scored
        self.tokens_cached += scored.tokens_cached
        unread = set(scored.unread)
        for k, (i, steps) in enumerate(batch):
            chain = self._chains[i]
            chain.sending, chain.read = None, steps
            chain.scores, chain.unread = scored.per_chain[k], k in unread
            self.steps_scored += 0 if chain.unread else len(steps)
            if self.on_scores is not None:
                self.on_scores(i, steps, [] if chain.unread else chain.scores, steps == chain.final)
        # The call is still in `_calls` until this returns: drop it first so partial chains that
        # waited for it can go now.
        current = asyncio.current_task()
        if current is not None:
            self._calls.discard(current)
        self._send_now()
        self._changed.set()
