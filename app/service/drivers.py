"""The ways a `Run` samples its chains, as plain functions.

`sample_batch`: the fixed strategy's `batch` schedule, every chain in one generator request answered
whole, then one reward call. `sample_all`: the fixed strategy streamed, each chain (or step) scored as
it ends while the others decode. `sample_controlled`: chains started, cut and stopped as
`AdaptiveSearch` decides — the adaptive strategy, a fixed request with a token or latency budget to
keep (all chains at once, none cut, only the budget stops), and every continuation.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import aclosing

from app.core.adaptive import Abort, Action, AdaptiveSearch, Launch, SearchBudget, SearchRules, Stop
from app.core.aggregate import aggregate
from app.core.equivalence import AnswerKeys
from app.core.votes import ABORTED, TRUNCATED, casts_a_vote
from app.engines.notes import judged
from app.engines.protocols import ChainDelta, ChainSampler, StepScores
from app.service.outcome import PruneEvent
from app.service.run import Run, Scored


async def sample_batch(run: Run) -> Scored:
    """All n chains in one generator request, answered when the last ends; then every chain goes to
    the reward models at once (one call each: the live scorer sends what is ready on its next turn)."""
    try:
        generation = await run.engines.generator.generate(run.sampling(), run.engine_id)
        generated_at = time.perf_counter()
        for i, chain in enumerate(generation.chains):
            run.take(ChainDelta(i, chain.text, chain.tokens, chain.finish_reason or "stop"))
        prm, orm = await run.final_scores()
        run.report()
    finally:
        await run.aclose()
    return Scored(run.params.n, prm, orm, generated_at, time.perf_counter())


async def sample_all(run: Run) -> Scored:
    """All n chains at once; their steps are scored as they settle or when each chain ends."""
    try:
        async with aclosing(run.chains()) as deltas:
            async for delta in deltas:
                run.take(delta)
                run.report_if_due(delta.finish_reason is not None)
        generated_at = time.perf_counter()
        prm, orm = await run.final_scores()
        run.report()
    finally:
        await run.aclose()
    return Scored(run.params.n, prm, orm, generated_at, time.perf_counter())


def search_for(run: Run, rules: SearchRules) -> AdaptiveSearch:
    """The controller for a run: the server's rules under the adaptive strategy; under the fixed
    one all n chains at once, none cut, and only the budget stops them."""
    params = run.params
    if params.strategy != "adaptive":
        rules = SearchRules(None, None, wave=params.n)
    budget = SearchBudget(params.n, params.max_reasoning_tokens, params.max_latency_ms)
    return AdaptiveSearch(budget, rules.prune, rules.stop, rules.wave)


class _Control:
    """Carries out the controller's actions on the sampler, and tells it what the scorer read.

    A continuation's earlier chains vote in the final selection, not in the stop rule: an answer
    whose vote was decided would otherwise stop again at the first new chain, and thinking longer
    must bring a decided vote of its own."""

    def __init__(self, run: Run, search: AdaptiveSearch, sampler: ChainSampler) -> None:
        self.run, self.search, self.sampler = run, search, sampler
        self.keys = AnswerKeys()
        self.prunes: list[PruneEvent] = []

    def act(self, actions: Sequence[Action]) -> None:
        for action in actions:
            if isinstance(action, Launch):
                self.sampler.launch(action.count)
            elif isinstance(action, Abort):
                self.sampler.abort(action.index)
            elif isinstance(action, Stop):
                for i in range(self.sampler.launched):
                    if self.run.book.finish[i] is None:
                        self.sampler.abort(i)

    def on_scores(self, i: int, steps: Sequence[str], scores: list[float], final: bool) -> None:
        book = self.run.book
        score = aggregate(judged(scores, book.notes[i]), self.run.params.aggregation)
        if not final:
            if book.finish[i] is None:  # a chain that has ended is judged by its final steps only
                actions = self.search.on_scored(i, score, len(steps), self.run.vetoed(judged(steps, book.notes[i])))
                cut = (a.index for a in actions if isinstance(a, Abort))
                self.prunes.extend(PruneEvent(j, len(steps), score, book.tokens[j]) for j in cut)
                self.act(actions)
            return
        read = book.ended_read(i)
        answer = (
            read.answer if read is not None and casts_a_vote(book.finish[i], read.answer, scores, None, False) else None
        )
        key = None if answer is None else self.keys.key(answer)
        self.act(self.search.on_finished(i, key, score, truncated=False))


async def sample_controlled(run: Run, search: AdaptiveSearch) -> Scored:
    """At most n chains, in waves, as `search` decides; every settled step is scored while its
    chain decodes (pruning needs it)."""
    sampler = run.sampler()
    control = _Control(run, search, sampler)
    run.prm.on_scores = control.on_scores
    try:
        await _drive(run, control)
        generated_at = time.perf_counter()
        run.close_unfinished(sampler.launched)
        prm, orm = await run.final_scores()
        run.report(search)
    finally:
        await sampler.aclose()
        await run.aclose()
    launched = sampler.launched
    return Scored(
        launched,
        _launched_only(prm, launched),
        _launched_only(orm, launched) if orm is not None else None,
        generated_at,
        time.perf_counter(),
        search.tally,
        tuple(control.prunes),
    )


async def _drive(run: Run, control: _Control) -> None:
    """Until the search stops or no chain runs: deltas in, the controller's actions out."""
    search, sampler = control.search, control.sampler
    control.act(search.begin())
    while search.running and not search.stopped:
        async for delta in sampler:
            control.act(search.on_tokens(delta.index, delta.tokens, run.elapsed_s() * 1000))
            update = run.take(delta)
            ended = delta.finish_reason
            if ended is not None and ended != ABORTED and not update.final:  # nothing to score: no vote
                control.act(search.on_finished(delta.index, None, 0.0, truncated=ended == TRUNCATED))
            run.report_if_due(ended is not None, search)
        await run.prm.settled()  # the last finals' scores may start more chains, or stop


def _launched_only(scores: StepScores, launched: int) -> StepScores:
    """The scores of the chains that were started (the scorer was sized for all it might be)."""
    unread = tuple(i for i in scores.unread if i < launched)
    return StepScores(scores.per_chain[:launched], scores.tokens_scored, unread, scores.tokens_cached)
