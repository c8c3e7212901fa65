"""`search_steps`: the step-level search driver (particle filtering, beam search) of a `Run`.

N partial chains advance one step at a time (a step: up to the format's step separator). Each
round, every prefix that goes on is extended in one generator request, by as many next steps as
chains go on from it (the prompt and the prefix come from the engine's prefix cache: only the new
step is decoded), and those steps are scored as soon as their request returns; then the rules of
`app/core/particles.py` pick the population of the next round. A chain that has ended stays in the
population (particle filtering) or among the answers (beam search). The search ends when every
chain has ended, or a budget of tokens or time runs out (checked between rounds: a budget is
exceeded by at most one round); then the finished chains vote as the other strategies' do.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from app.core.adaptive import SearchTally, StopReason
from app.core.aggregate import aggregate
from app.core.particles import StepRules, best, keep_beams, resample
from app.core.select import ScoredChain, select
from app.core.votes import ABORTED, TRUNCATED, casts_a_vote, ended_on_its_own
from app.engines.protocols import StepDraft, StepScores
from app.formats.reading import read_chain, settled_steps
from app.service.events import Progress
from app.service.run import Run, Scored
from app.service.step_tree import START, StepTree


@dataclass(frozen=True, slots=True)
class _Branch:
    """One generator request of a round: `count` next steps of the chain through `node`."""

    node: int
    count: int
    seed: int | None
    name: str


@dataclass(frozen=True, slots=True)
class _Grown:
    """A next step as its request returned it, and what the reward model made of the chain."""

    draft: StepDraft
    text: str  # the whole chain through this step
    scores: list[float] = field(default_factory=list)
    score: float = 0.0
    unread: bool = False


class _StepSearch:
    def __init__(self, run: Run, rules: StepRules) -> None:
        self.run, self.rules = run, rules
        self.params = run.params
        self.fmt = run.engines.generator_format
        self.tree = StepTree()
        self.rng = random.Random(self.params.seed)
        self.base = run.sampling()
        self.steps = self.resamplings = self.branches = self.pruned = self.seeded = 0
        self.steps_scored = self.tokens_scored = self.tokens_cached = 0
        self.unread: set[int] = set()
        self.stop_reason: StopReason | None = None
        # A continuation's tree follows the earlier runs' nodes.
        self.shift = len(run.earlier.tree) if run.earlier is not None else 0

    async def run_rounds(self) -> list[int]:
        """Rounds until the search ends; the chains it answers with (leaf nodes)."""
        if self.params.strategy == "beam":
            return await self._beam()
        return await self._particles()

    async def _particles(self) -> list[int]:
        n = self.params.n
        population = [START] * n
        while self._going_on(population):
            open_ = Counter(p for p in population if not self.tree.ended(p))
            ended = [p for p in population if self.tree.ended(p)]  # before the round: it may end more
            children = await self._extend(sorted(open_.items()))
            candidates = [c for node, _ in sorted(open_.items()) for c in children[node]] + ended
            if all(self.tree.ended(c) for c in candidates):
                population = candidates
                continue
            drawn = resample([self._weight(c) for c in candidates], n, self.rules.temperature, self.rng)
            self.resamplings += 1
            self.pruned += len(set(candidates) - {candidates[i] for i in drawn})
            population = [candidates[i] for i in drawn]
        return population

    async def _beam(self) -> list[int]:
        n, beams = self.params.n, self.rules.beams(self.params.n)
        done: list[int] = []
        subtree: dict[int, int] = {}  # DVTS: the k-th first step's subtree is k // width
        active, width = [START], n  # the first round samples n first steps
        while len(done) < n and self._going_on(active):
            children = await self._extend([(node, width) for node in active])
            grown = [c for node in active for c in children[node]]
            for k, c in enumerate(grown):
                subtree.setdefault(c, subtree.get(self.tree.parent(c), k // self.rules.width))
            done += [c for c in grown if self.tree.ended(c)]
            alive = [c for c in grown if not self.tree.ended(c)]
            scores = [self._weight(c) for c in alive]
            kept = [alive[i] for i in keep_beams(scores, [subtree[c] for c in alive], beams, self.rules.diverse)]
            self.pruned += len(alive) - len(kept)
            active, width = kept, self.rules.width
        if len(done) >= n:
            self.stop_reason = "max_chains"
        answering = [done[i] for i in best([self._weight(c) for c in done], n)]
        still_open = [c for c in active if c != START]  # a budget stopped them: aborted
        return answering + still_open[: n - len(answering)]

    def _going_on(self, chains: Sequence[int]) -> bool:
        """Whether another round runs: a chain has not ended, and the budgets allow it."""
        if not chains or all(self.tree.ended(c) for c in chains):
            self.stop_reason = "max_chains"  # every chain the search allows has ended
            return False
        limit_tokens, limit_ms = self.params.max_reasoning_tokens, self.params.max_latency_ms
        if limit_tokens is not None and self.tree.decoded >= limit_tokens:
            self.stop_reason = "max_reasoning_tokens"
        elif limit_ms is not None and self.run.elapsed_s() * 1000 >= limit_ms:
            self.stop_reason = "max_latency"
        return self.stop_reason is None

    def _weight(self, node: int) -> float:
        """A chain's score for the rules: a chain cut off by its budget has no vote, and no weight."""
        return 0.0 if self.tree.finish(node) == TRUNCATED else self.tree.score(node)

    async def _extend(self, asked: Sequence[tuple[int, int]]) -> dict[int, list[int]]:
        """Every (node, count) asked extended `count` ways, each request scored as soon as it
        returns; the new nodes, by the node they grew from. New nodes are numbered in the order
        the round asked, not the order the requests returned: the next round's order (and its
        seeds) follows the numbering, so a seeded search takes the same steps whatever the timing."""
        self.steps += 1
        branches = [self._branch(node, count) for node, count in asked]
        async with asyncio.TaskGroup() as group:  # a failure, or the request's end, cancels them all
            tasks = [group.create_task(self._grow(branch)) for branch in branches]
        grown = {branch.node: self._add(branch, task.result()) for branch, task in zip(branches, tasks, strict=True)}
        self.run.report_progress(lambda: self.progress(asked))
        return grown

    def _branch(self, node: int, count: int) -> _Branch:
        """Seeds are handed out in the order the round asks, one a step (a request's step j samples
        with its seed + j): a seeded search is reproducible, and no two steps share a seed."""
        seed = None if self.base.seed is None else self.base.seed + self.seeded
        name = f"{self.run.engine_id}-step{self.branches}"
        self.branches += 1
        self.seeded += count
        return _Branch(node, count, seed, name)

    async def _grow(self, branch: _Branch) -> list[_Grown] | None:
        """The branch's next steps, scored (None: its chain has no token left for another step)."""
        left = self.params.max_tokens - self.tree.chain_tokens(branch.node) if branch.node != START else None
        if left is not None and left <= 0:
            return None
        request = replace(
            self.base, n=branch.count, seed=branch.seed, max_tokens=self.params.max_tokens if left is None else left
        )
        prefix = self.tree.prefix_ids(branch.node) if branch.node != START else []
        drafts = await self.run.engines.generator.next_steps(request, prefix, self.fmt.step_separator, branch.name)
        self.run.book.charge(sum(draft.tokens for draft in drafts))
        before = self.tree.text(branch.node) if branch.node != START else ""
        return await self._score([_Grown(draft, before + draft.text) for draft in drafts], branch.name)

    def _add(self, branch: _Branch, grown: list[_Grown] | None) -> list[int]:
        if grown is None:  # the chain ends here
            self.tree.truncate(branch.node)
            return [branch.node] * branch.count
        children = []
        for step in grown:
            node = self.tree.add(branch.node, step.draft)
            self.tree.scored(node, step.scores, step.score)
            if step.unread:
                self.unread.add(node)
            children.append(node)
        return children

    async def _score(self, grown: list[_Grown], name: str) -> list[_Grown]:
        """The reward model reads each new chain's steps (its prefix cache holds the earlier ones)."""
        readable = [k for k, step in enumerate(grown) if step.draft.finish_reason != TRUNCATED]
        if not readable:
            return grown
        steps = [self._steps_of(grown[k].text, grown[k].draft.finish_reason) for k in readable]
        scores = await self.run.scorer.score(self.params.problem, steps, name)
        self.tokens_scored += scores.tokens_scored
        self.tokens_cached += scores.tokens_cached
        self.steps_scored += sum(len(s) for s in steps)
        for j, k in enumerate(readable):
            chain = scores.per_chain[j]
            score = aggregate(chain, self.params.aggregation) if chain else 0.0
            grown[k] = replace(grown[k], scores=chain, score=score, unread=j in scores.unread)
        return grown

    def _steps_of(self, text: str, finish: str | None) -> list[str]:
        if ended_on_its_own(finish):
            return read_chain(text, self.fmt).steps
        return settled_steps(text, self.fmt)

    def progress(self, asked: Sequence[tuple[int, int]]) -> Progress:
        """After a round: the vote among the chains that have ended so far (in the tree)."""
        ended = [n for n in range(len(self.tree)) if self.tree.ended(n)]
        ballots, vetoed = [], 0
        for n in ended:
            read = read_chain(self.tree.text(n), self.fmt)
            answer = read.answer
            vetoed += self.run.vetoed(read.steps)
            if casts_a_vote(self.tree.finish(n), answer, self.tree.scores(n), None, False):
                ballots.append(ScoredChain(answer, self.tree.score(n), None))
        leading = select(ballots, self.params.selection) if ballots else None
        truncated = sum(self.tree.finish(n) == TRUNCATED for n in ended)
        return Progress(
            chains_running=sum(count for _, count in asked),
            chains_finished=len(ended) - truncated,
            chains_truncated=truncated,
            steps_scored=self.steps_scored,
            tokens=self.tree.decoded,
            leading_answer=leading.answer if leading else None,
            leading_share=leading.confidence if leading else 0.0,
            elapsed_s=self.run.elapsed_s(),
            chains_pruned=self.pruned,
            chains_vetoed=vetoed,
        )

    def settle(self, leaves: list[int]) -> StepScores:
        """The answering chains into the run's book, ended (a chain still open when a budget ran
        out is aborted); their final scores."""
        per_chain, unread = [], []
        for i, leaf in enumerate(leaves):
            finish = self.tree.finish(leaf) or ABORTED
            self.run.book.settle(i, self.tree.text(leaf), self.tree.chain_tokens(leaf), finish, leaf + self.shift)
            per_chain.append(self.tree.scores(leaf) if finish != ABORTED else [])
            if leaf in self.unread:
                unread.append(i)
        return StepScores(per_chain, self.tokens_scored, tuple(unread), self.tokens_cached)

    def tally(self, leaves: list[int]) -> SearchTally:
        finishes = [self.tree.finish(leaf) for leaf in leaves]
        return SearchTally(
            started=len(leaves),
            pruned=self.pruned,
            finished=sum(ended_on_its_own(f) for f in finishes),
            truncated=sum(f == TRUNCATED for f in finishes),
            reasoning_tokens=self.tree.decoded,
            stop_reason=self.stop_reason,
            steps=self.steps,
            resamplings=self.resamplings,
            branches=self.branches,
        )


async def search_steps(run: Run, rules: StepRules) -> Scored:
    """The run's chains by a step-level search (`run.params.strategy`: particle_filtering or beam)."""
    search = _StepSearch(run, rules)
    try:
        leaves = await search.run_rounds()
        generated_at = time.perf_counter()
        prm = search.settle(leaves)
    finally:
        await run.aclose()
    tally = search.tally(leaves)
    run.report_progress(lambda: replace(search.progress(()), stop_reason=tally.stop_reason))
    return Scored(len(leaves), prm, None, generated_at, time.perf_counter(), tally, (), search.tree.kept(search.shift))
