"""Replay a search on chains already sampled and scored: the adaptive controller of the service
(`app.core.adaptive.AdaptiveSearch`) driven by recorded chains instead of live engines, so that
its thresholds can be fitted on the validation split in seconds rather than hours.

The replay's clock is the token: every running chain decodes one token per tick (continuous
batching decodes the running chains together), a step's score is known as the step is written
(the live pipeline scores a settled step within a few milliseconds), and the search's chain k is
the problem's k-th recorded sample. What the replay cannot know, it does not guess: latency is
measured by running the service (`lab.evaluation.live`), not here.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.adaptive import Abort, Action, AdaptiveSearch, Launch, SearchBudget, SearchRules, Stop, StopReason
from app.core.aggregate import Aggregation, aggregate
from app.core.equivalence import AnswerKeys
from app.core.select import ScoredChain, SelectionResult, select
from app.core.votes import casts_a_vote
from lab.evaluation.metrics import ProblemSamples
from lab.task import arith


@dataclass(frozen=True, slots=True)
class Replayed:
    """What one search on one problem came to."""

    result: SelectionResult
    ballots: tuple[ScoredChain, ...]  # every started chain; None answers do not vote
    correct: bool
    tokens: int
    started: int
    pruned: int
    stop_reason: StopReason | None
    ticks: int  # tokens one chain decodes in the time the search took: a proxy for its latency
    in_domain: bool  # the problem is of the kind the generator was trained on (its format's domain)
    failed: tuple[bool, ...] = ()  # each ballot's chain has a step a checker found false (none ran: empty)
    unfinished: tuple[bool, ...] = ()  # each ballot's chain set a computation equal to nothing


def _votes(s: ProblemSamples, i: int) -> bool:
    """The service's own rule for a recorded chain (no outcome model in a replay)."""
    return casts_a_vote(s.finish_reasons[i], s.answers[i], s.step_scores[i], None, False)


def replay(
    s: ProblemSamples,
    budget: SearchBudget,
    rules: SearchRules,
    aggregation: Aggregation = "min",
) -> Replayed:
    """One adaptive search over the recorded chains of `s` (at most as many as were recorded)."""
    if budget.max_chains > len(s.answers):
        raise ValueError(f"{budget.max_chains} chains asked for, {len(s.answers)} recorded")
    search = AdaptiveSearch(budget, rules.prune, rules.stop, rules.wave)
    keys = AnswerKeys()
    # (tick at which the chain's next step is written, chain, that step's index)
    events: list[tuple[int, int, int]] = []
    aborted: set[int] = set()
    ended: set[int] = set()
    now = 0

    def schedule(i: int, step: int, at: int) -> None:
        tokens = s.step_tokens[i]
        if not tokens:  # a chain that wrote no step ends at once, with nothing to vote with
            heapq.heappush(events, (at, i, -1))
        elif step < len(tokens):
            heapq.heappush(events, (at + tokens[step], i, step))

    def act(actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Launch):
                for i in range(search.tally.started - action.count, search.tally.started):
                    schedule(i, 0, now)
            elif isinstance(action, Abort):
                aborted.add(action.index)
            elif isinstance(action, Stop):
                aborted.update(i for i in range(search.tally.started) if i not in ended)

    act(search.begin())
    while events and not search.stopped:
        now, i, step = heapq.heappop(events)
        if i in aborted:
            continue
        if step < 0:
            ended.add(i)
            act(search.on_finished(i, None, 0.0, s.finish_reasons[i] == "length"))
            continue
        act(search.on_tokens(i, s.step_tokens[i][step], float(now)))
        if search.stopped or i in aborted:
            continue
        scores = s.step_scores[i][: step + 1]
        last = step == len(s.step_tokens[i]) - 1
        if not last:
            act(search.on_scored(i, aggregate(scores, aggregation), step + 1))
            if i not in aborted:
                schedule(i, step + 1, now)
            continue
        ended.add(i)
        truncated = s.finish_reasons[i] == "length"
        answer = s.answers[i]
        key = keys.key(answer) if answer is not None and _votes(s, i) else None
        act(search.on_finished(i, key, aggregate(scores, aggregation), truncated))
    voted = ended - aborted
    ballots = tuple(
        ScoredChain(
            s.answers[i] if i in voted and _votes(s, i) else None, aggregate(s.step_scores[i], aggregation), None
        )
        for i in range(search.tally.started)
    )
    result = select(ballots, "prm_weighted_vote")
    correct = result.winner_index is not None and s.correct[result.winner_index]
    tally = search.tally
    failed = tuple(s.failed[i] for i in range(tally.started)) if s.failed else ()
    unfinished = tuple(s.unfinished[i] for i in range(tally.started)) if s.unfinished else ()
    return Replayed(
        result,
        ballots,
        correct,
        tally.reasoning_tokens,
        tally.started,
        tally.pruned,
        tally.stop_reason,
        now,
        arith.NOTATION.in_domain(s.text),
        failed,
        unfinished,
    )


def fixed(s: ProblemSamples, chains: Sequence[int], aggregation: Aggregation = "min") -> Replayed:
    """Fixed best-of-N on the recorded chains `chains`: all decode to the end, all that finish vote."""
    ballots = tuple(
        ScoredChain(s.answers[i] if _votes(s, i) else None, aggregate(s.step_scores[i], aggregation), None)
        for i in chains
    )
    result = select(ballots, "prm_weighted_vote")
    correct = result.winner_index is not None and s.correct[chains[result.winner_index]]
    tokens = [sum(s.step_tokens[i]) for i in chains]
    in_domain = arith.NOTATION.in_domain(s.text)
    failed = tuple(s.failed[i] for i in chains) if s.failed else ()
    unfinished = tuple(s.unfinished[i] for i in chains) if s.unfinished else ()
    return Replayed(
        result,
        ballots,
        correct,
        sum(tokens),
        len(chains),
        0,
        None,
        max(tokens, default=0),
        in_domain,
        failed,
        unfinished,
    )
