"""Adaptive search: when to cut a chain, when to start another, when the vote is decided.

Pure rules and a pure controller, no engine: the pipeline tells `AdaptiveSearch` what happened
(tokens decoded, steps scored, chains finished) and carries out what it answers (start chains,
abort chains, stop). Everything is measured in what the client's budget counts: chains started,
reasoning tokens decoded, time.

Pruning (early rejection with a PRM): a running chain whose scored steps aggregate below an
absolute floor, or below a fraction of the best chain so far, is aborted at that step. With `min`
aggregation, one step the PRM calls wrong is enough, as in "Let's Verify Step by Step".

Stopping: the PRM-weighted vote is decided when no chain that could still vote can change the
winner (each adds at most 1 to one answer's weight), or when the leader is ahead by a margin of
weighted votes and holds a share of the weight: the margin and share are fitted on the validation
split. A budget that runs out stops the search too; the finished chains then vote as they stand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

# "certain": no open chain could change the winner; "decided": the stop rule holds; the others: a
# budget ran out (max_chains: every chain it allows has ended, and the vote was still open).
# adaptive: the controller below; fixed: n chains at once; the step-level searches: app/core/particles.py
Strategy = Literal["fixed", "adaptive", "particle_filtering", "beam"]
StopReason = Literal["certain", "decided", "max_chains", "max_reasoning_tokens", "max_latency"]


@dataclass(frozen=True, slots=True)
class SearchBudget:
    """What one request may spend. None: no limit of that kind."""

    max_chains: int
    max_reasoning_tokens: int | None = None
    max_latency_ms: float | None = None

    def __post_init__(self) -> None:
        if self.max_chains < 1:
            raise ValueError("max_chains must be at least 1")
        if self.max_reasoning_tokens is not None and self.max_reasoning_tokens < 1:
            raise ValueError("max_reasoning_tokens must be at least 1")
        if self.max_latency_ms is not None and self.max_latency_ms <= 0:
            raise ValueError("max_latency_ms must be positive")


@dataclass(frozen=True, slots=True)
class PruneRule:
    """Cut a chain whose scored steps aggregate below `floor`, or below `relative` times the best
    chain score seen so far, once it has `min_steps` scored steps."""

    floor: float = 0.0
    relative: float = 0.0
    min_steps: int = 1

    def __post_init__(self) -> None:
        if not (0.0 <= self.floor <= 1.0 and 0.0 <= self.relative <= 1.0):
            raise ValueError("floor and relative must be in [0, 1]")
        if self.min_steps < 1:
            raise ValueError("min_steps must be at least 1")


@dataclass(frozen=True, slots=True)
class StopRule:
    """The vote is decided when the leading answer is `margin` weighted votes ahead of the next
    and holds `share` of all the weight, with at least `min_votes` chains voting."""

    margin: float = 1.0
    share: float = 0.5
    min_votes: int = 2

    def __post_init__(self) -> None:
        if self.margin < 0 or not 0.0 <= self.share <= 1.0 or self.min_votes < 1:
            raise ValueError("margin must be ≥ 0, share in [0, 1], min_votes ≥ 1")


def should_prune(partial_score: float, steps_scored: int, best_score: float | None, rule: PruneRule) -> bool:
    """Whether a running chain with this partial (aggregated) score is cut now."""
    if steps_scored < rule.min_steps:
        return False
    if partial_score < rule.floor:
        return True
    return best_score is not None and partial_score < rule.relative * best_score


def vote_decided(weights: Sequence[float], votes: int, open_votes: int, rule: StopRule) -> StopReason | None:
    """`weights`: each answer's summed chain scores (any order); `votes`: chains that voted;
    `open_votes`: chains that could still vote (running, or yet to start within the budget).
    "certain" when no open vote can change the leader, "decided" when the rule's margin and share
    hold, None while the vote is open."""
    if not weights:
        return None
    ranked = sorted(weights, reverse=True)
    leader, runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else 0.0)
    if leader - runner_up > open_votes:  # each open chain adds at most 1 to one answer
        return "certain"
    total = sum(ranked)
    if votes >= rule.min_votes and leader - runner_up >= rule.margin and total > 0 and leader / total >= rule.share:
        return "decided"
    return None


@dataclass(frozen=True, slots=True)
class SearchRules:
    """The server's rules for the adaptive strategy (settings), beside each request's budget."""

    prune: PruneRule | None
    stop: StopRule | None  # None: the vote never stops the search (the fixed strategy under a budget)
    wave: int


# What the controller asks of the pipeline.
@dataclass(frozen=True, slots=True)
class Launch:
    count: int  # start this many new chains


@dataclass(frozen=True, slots=True)
class Abort:
    index: int  # cut this running chain (pruned)


@dataclass(frozen=True, slots=True)
class Stop:
    reason: StopReason  # abort every running chain; the finished ones vote


Action = Launch | Abort | Stop


@dataclass
class _Chain:
    tokens: int = 0
    running: bool = True
    ended: bool = False  # finished or pruned (a stop does not end a chain: it may still finish)
    pruned: bool = False
    score: float | None = None  # the aggregated partial score, then the final one


@dataclass
class SearchTally:
    """What the search spent and why it ended (the response reports it)."""

    started: int = 0
    pruned: int = 0
    finished: int = 0
    truncated: int = 0
    reasoning_tokens: int = 0
    stop_reason: StopReason | None = None
    # A step-level search's (particle filtering, beam): rounds of one step each, times the
    # population was drawn again, and generator requests (each branching one prefix one or more ways).
    steps: int = 0
    resamplings: int = 0
    branches: int = 0


@dataclass
class AdaptiveSearch:
    """Chains in waves: `wave` at first, and one more whenever a chain ends, while the budget
    allows and the vote is open. Indices are given in launch order, from 0.

    Budget guarantee: tokens are reported as they decode and checked on every report, so the
    reasoning tokens decoded exceed `max_reasoning_tokens` by at most the report that crossed it
    and what each running chain decodes before its abort lands (one step each, when the pipeline
    reports per step). At most `wave` chains run at once."""

    budget: SearchBudget
    prune: PruneRule | None
    stop: StopRule | None
    wave: int
    chains: list[_Chain] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)  # answer key → summed chain scores
    votes: int = 0
    tally: SearchTally = field(default_factory=SearchTally)

    def __post_init__(self) -> None:
        if self.wave < 1:
            raise ValueError("wave must be at least 1")

    @property
    def stopped(self) -> bool:
        return self.tally.stop_reason is not None

    @property
    def running(self) -> int:
        return sum(chain.running for chain in self.chains)

    def begin(self) -> list[Action]:
        return self._launch(min(self.wave, self.budget.max_chains))

    def on_tokens(self, index: int, tokens: int, elapsed_ms: float) -> list[Action]:
        """Chain `index` decoded `tokens` more (a pruned chain's last tokens count too: they were
        decoded before its abort landed)."""
        self.chains[index].tokens += tokens
        self.tally.reasoning_tokens += tokens
        return [] if self.stopped else self._check_budget(elapsed_ms)

    def on_scored(self, index: int, partial_score: float, steps_scored: int, vetoed: bool = False) -> list[Action]:
        """The reward model scored chain `index`'s settled steps (aggregated: `partial_score`);
        `vetoed`: a step checker found one of them false, which cuts the chain whatever the rule."""
        chain = self.chains[index]
        if self.stopped or not chain.running:
            return []
        chain.score = partial_score
        pruned = self.prune is not None and should_prune(partial_score, steps_scored, self._best(), self.prune)
        if not (vetoed or pruned):
            return []
        chain.running, chain.ended, chain.pruned = False, True, True
        self.tally.pruned += 1
        return [Abort(index), *self._after_an_end()]

    def on_finished(self, index: int, answer_key: str | None, score: float, truncated: bool) -> list[Action]:
        """Chain `index` ended on its own: its answer (None: it does not vote) and final score.
        After a stop it is still counted as finished, but no longer votes here."""
        chain = self.chains[index]
        if chain.ended:
            return []
        chain.running, chain.ended, chain.score = False, True, score
        if truncated:
            self.tally.truncated += 1
        else:
            self.tally.finished += 1
        if self.stopped:
            return []
        if answer_key is not None and not truncated:
            self.weights[answer_key] = self.weights.get(answer_key, 0.0) + score
            self.votes += 1
        return self._after_an_end()

    def on_clock(self, elapsed_ms: float) -> list[Action]:
        """Time passed with nothing else to report (the latency budget is checked)."""
        return [] if self.stopped else self._check_budget(elapsed_ms)

    def _best(self) -> float | None:
        scores = [chain.score for chain in self.chains if chain.score is not None and not chain.pruned]
        return max(scores) if scores else None

    def _open_votes(self) -> int:
        return self.running + (self.budget.max_chains - self.tally.started)

    def _after_an_end(self) -> list[Action]:
        if self.stop is not None:
            decided = vote_decided(list(self.weights.values()), self.votes, self._open_votes(), self.stop)
            if decided is not None:
                return self._stop(decided)
        if self.tally.started < self.budget.max_chains:
            return self._launch(1)
        if self.running == 0:
            return self._stop("max_chains")
        return []

    def _check_budget(self, elapsed_ms: float) -> list[Action]:
        limit = self.budget.max_reasoning_tokens
        if limit is not None and self.tally.reasoning_tokens >= limit:
            return self._stop("max_reasoning_tokens")
        if self.budget.max_latency_ms is not None and elapsed_ms >= self.budget.max_latency_ms:
            return self._stop("max_latency")
        return []

    def _launch(self, count: int) -> list[Action]:
        count = min(count, self.budget.max_chains - self.tally.started)
        if count <= 0:
            return []
        self.chains += [_Chain() for _ in range(count)]
        self.tally.started += count
        return [Launch(count)]

    def _stop(self, reason: StopReason) -> list[Action]:
        for chain in self.chains:
            chain.running = False
        self.tally.stop_reason = reason
        return [Stop(reason)]
