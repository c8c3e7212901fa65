"""Thinking longer: an answer's search taken up again (`POST /solve/{request_id}/continue`).

`Continuations` finds the earlier answer (kept in memory, or recalled from the audit store after a
restart or from another replica), checks that it may go on, and keeps each new answer for the next
continuation. `carried_over` and `usage_so_far` fold the earlier runs into a new answer: its
chains, cuts, spend and usage are those of every run so far.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from app.config import Settings
from app.core.adaptive import SearchTally, Strategy
from app.core.particles import STEP_STRATEGIES
from app.core.votes import tally_of, together
from app.errors import InvalidRequest, UnknownRequest
from app.service.kept import KeptSearch, KeptSearches
from app.service.outcome import PruneEvent, SolveOutcome, StepNode, Usage
from app.service.params import SolveParams
from app.service.run import Scored

Recall = Callable[[str], Awaitable[KeptSearch | None]]  # an answer not kept here (None: not found)


@dataclass(frozen=True, slots=True)
class MoreChains:
    """What a continuation asks for; None: as the first run had it (chains), or no limit."""

    max_chains: int | None = None
    max_reasoning_tokens: int | None = None
    max_latency_ms: float | None = None
    strategy: Strategy | None = None
    context: str | None = None  # a note every new chain reads before its first step


class Continuations:
    def __init__(self, kept: KeptSearches, recall: Recall | None = None) -> None:
        self._kept = kept
        self._recall = recall

    @classmethod
    def of(cls, settings: Settings, recall: Recall | None) -> Continuations | None:
        """What the settings keep (None: answers are not kept, BON_CONTINUE_TTL_S is 0)."""
        if settings.continue_ttl_s <= 0:
            return None
        kept = KeptSearches(settings.continue_ttl_s, settings.continue_max_kept, settings.continue_max_chains)
        return cls(kept, recall)

    def owner_of(self, request_id: str) -> str | None:
        """The key whose answer this is, while it is kept here (see `KeptSearches.owner_of`)."""
        return self._kept.owner_of(request_id)

    async def resume(self, request_id: str, more: MoreChains, client: str) -> tuple[SolveParams, KeptSearch]:
        """An earlier answer's search, taken to go on (busy until `keep` or `release`), and the
        parameters of the run that continues it: `more.max_chains` more at most (as many as the
        first run's n by default), under the same problem, sampling and selection; the new
        chains' seeds follow the earlier ones'."""
        earlier = await self._take(request_id, client)
        first = earlier.params
        count = more.max_chains or first.n
        problem = None
        if first.temperature == 0:
            problem = "a greedy answer (temperature 0) would only sample the same chain again"
        elif more.context is not None and (more.strategy or first.strategy) in STEP_STRATEGIES:
            problem = "a step-level search's chains take no notes"
        elif len(earlier.chains) + count > self._kept.max_chains:
            problem = (
                f"{len(earlier.chains)} chains are kept and {count} more would pass the "
                f"{self._kept.max_chains} one answer may have (BON_CONTINUE_MAX_CHAINS)"
            )
        if problem is not None:
            self._kept.release(request_id, earlier)
            raise InvalidRequest(f"request {request_id} cannot think longer: {problem}", "budget")
        params = replace(
            first,
            n=count,
            seed=None if first.seed is None else first.seed + len(earlier.chains),
            strategy=more.strategy or first.strategy,
            max_reasoning_tokens=more.max_reasoning_tokens,
            max_latency_ms=more.max_latency_ms,
            notes=(*earlier.notes, more.context) if more.context is not None else earlier.notes,
        )
        return params, earlier

    async def _take(self, request_id: str, client: str) -> KeptSearch:
        # Another key's answer is not this key's to see, or to spend on: as if unknown, and untouched.
        unknown = UnknownRequest(f"no answer with request id {request_id} is kept here")
        if self._kept.owner_of(request_id) not in (None, client):
            raise unknown
        try:
            return self._kept.take(request_id)
        except UnknownRequest:
            recalled = await self._recall(request_id) if self._recall is not None else None
            if recalled is None:
                raise
            if recalled.owner != client:
                raise unknown from None
            return self._kept.adopt(request_id, recalled)

    def keep(self, outcome: SolveOutcome, earlier: KeptSearch | None, client: str) -> None:
        """Keep an answer to be continued (a continuation's: as the same search, grown)."""
        first = earlier.params if earlier is not None else outcome.params
        continued = earlier.continued + 1 if earlier is not None else 0
        notes = tuple(note.text for note in outcome.context.notes) if outcome.context is not None else ()
        state = KeptSearch(
            first,
            tuple(outcome.chains),
            outcome.usage,
            outcome.search,
            continued,
            outcome.prunes,
            client,
            outcome.tree,
            notes,
        )
        self._kept.keep(outcome.request_id, state, continued=earlier is not None)

    def release(self, request_id: str, earlier: KeptSearch) -> None:
        """A continuation failed: the earlier answer is kept as it was."""
        self._kept.release(request_id, earlier)


def carried_over(
    earlier: KeptSearch | None, params: SolveParams, scored: Scored, answered: int
) -> tuple[SolveParams, SearchTally | None, tuple[PruneEvent, ...], tuple[StepNode, ...]]:
    """The answer's parameters (n: every chain it has, `answered`), what its search spent, the
    chains it cut and the steps a step-level search decoded, every run together; the new chains'
    indices follow the earlier ones'."""
    if earlier is None:
        return params, scored.tally, scored.prunes, scored.tree
    shift = len(earlier.chains)
    prunes = (*earlier.prunes, *(replace(p, index=p.index + shift) for p in scored.prunes))
    before = earlier.search or tally_of([c.finish_reason for c in earlier.chains], [c.tokens for c in earlier.chains])
    return replace(params, n=answered), together(before, scored.tally), prunes, (*earlier.tree, *scored.tree)


def usage_so_far(earlier: KeptSearch | None, this_run: Usage) -> Usage:
    if earlier is None:
        return this_run
    return replace(
        this_run,
        reasoning_tokens=earlier.usage.reasoning_tokens + this_run.reasoning_tokens,
        scored_tokens=earlier.usage.scored_tokens + this_run.scored_tokens,
        tool_calls=earlier.usage.tool_calls + this_run.tool_calls,
    )
