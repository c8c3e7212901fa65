"""The step-level searches' orchestration (particle filtering, beam search) on fake engines: chains
advanced a step at a time, drawn again or pruned by the PRM's scores, every step decoded once.
(The rules themselves: tests/core/test_particles.py; real engines: tests/e2e/test_step_search.py.)"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace

import pytest

from app.audit.layout import chains_of, tree_of
from app.audit.recall import kept_search_of
from app.audit.record import GENESIS, chain_row, solve_content, solve_entry
from app.core.particles import StepRules
from app.engines.protocols import SamplingRequest, StepDraft
from app.errors import InvalidRequest
from app.service.events import Finished, Progress
from app.service.kept import KeptSearch
from app.service.outcome import SolveOutcome, StepNode
from app.service.params import SolveParams
from app.service.solve import SolveService
from tests.fakes import FORMAT, PROBLEM, RIGHT, WRONG, ArithmeticScorer, FakeGenerator
from tests.services import solve_service

PARTICLES = SolveParams(
    problem=PROBLEM,
    n=8,
    temperature=1.0,
    max_tokens=40,
    seed=7,
    aggregation="min",
    selection="prm_weighted_vote",
    strategy="particle_filtering",
)
BEAM = replace(PARTICLES, strategy="beam")


RULES = StepRules(temperature=1.0, width=4)


def service(gen: FakeGenerator, rules: StepRules = RULES) -> SolveService:
    return solve_service(gen, ArithmeticScorer(), None, FORMAT, timeout_s=5.0, step_rules=rules)


def solve(gen: FakeGenerator, params: SolveParams = PARTICLES, **kw: object) -> SolveOutcome:
    return asyncio.run(service(gen, **kw).solve(params, "r"))  # type: ignore[arg-type]


def path(tree: tuple[StepNode, ...], leaf: int) -> list[StepNode]:
    nodes = {n.node: n for n in tree}
    out = []
    at: int | None = leaf
    while at is not None:
        out.append(nodes[at])
        at = nodes[at].parent
    return out[::-1]


def assert_every_step_decoded_once(out: SolveOutcome) -> None:
    """The usage counts every node of the tree once, and each chain is the path to its leaf."""
    assert out.tree and out.usage.reasoning_tokens == sum(n.tokens for n in out.tree)
    assert out.search is not None and out.search.reasoning_tokens == out.usage.reasoning_tokens
    for chain in out.chains:
        assert chain.leaf is not None
        steps = path(out.tree, chain.leaf)
        assert [s.depth for s in steps] == list(range(1, len(steps) + 1))
        assert chain.tokens == sum(s.tokens for s in steps)


def test_particle_filtering_moves_the_population_to_the_chains_the_prm_likes() -> None:
    gen = FakeGenerator([WRONG, RIGHT])
    out = solve(gen)
    assert out.answer == "243"
    assert out.counts.sampled == 8 and len(out.chains) == 8
    # After the wrong second step (scored 0.05 against 0.95), the wrong prefix is mostly drawn away.
    assert Counter(c.answer for c in out.chains)["243"] >= 6
    assert out.search is not None and out.search.stop_reason == "max_chains"
    assert out.search.steps == 4 and out.search.resamplings == 3 and out.search.branches >= 4
    assert out.search.pruned >= 1
    assert_every_step_decoded_once(out)
    assert gen.running == 0


def test_branching_shares_the_prefix_and_asks_for_each_branch_once() -> None:
    gen = FakeGenerator([WRONG, RIGHT])
    out = solve(gen)
    # Each generator request extends one prefix as many ways as particles go on from it.
    assert sum(r.n for r in gen.requests) == sum(1 for _ in out.tree)
    assert out.tree[0].depth == 1 and out.tree[0].parent is None
    first_steps = [n for n in out.tree if n.parent is None]
    assert len(first_steps) == 8  # the first round: n first steps, in one request
    assert gen.requests[0].n == 8


def test_a_seeded_search_is_reproducible() -> None:
    a, b = solve(FakeGenerator([WRONG, RIGHT, RIGHT])), solve(FakeGenerator([WRONG, RIGHT, RIGHT]))
    assert a.tree == b.tree and [c.text for c in a.chains] == [c.text for c in b.chains]


@dataclass
class ArrivingOutOfOrder(FakeGenerator):
    """Each request of a round returns after a random wait: the rounds' requests come back in
    another order for each `timing`."""

    timing: int = 0

    def __post_init__(self) -> None:
        self._waits = random.Random(self.timing)

    async def next_steps(
        self, request: SamplingRequest, prefix: Sequence[int], step_end: str, request_id: str
    ) -> list[StepDraft]:
        await asyncio.sleep(self._waits.random() / 100)
        return await super().next_steps(request, prefix, step_end, request_id)


@pytest.mark.parametrize("params", [PARTICLES, BEAM], ids=["particles", "beam"])
def test_a_seeded_search_takes_the_same_steps_whatever_order_its_requests_return_in(params: SolveParams) -> None:
    chains = [WRONG, RIGHT, RIGHT, "37+48=85\n85*3=255\n255-12=253\nA:253"]
    runs = [solve(ArrivingOutOfOrder(chains, timing=t), params) for t in range(4)]
    for run in runs[1:]:
        assert run.tree == runs[0].tree
        assert [c.text for c in run.chains] == [c.text for c in runs[0].chains]


def test_beam_search_keeps_the_best_and_answers_with_finished_chains() -> None:
    gen = FakeGenerator([WRONG, RIGHT])
    out = solve(gen, BEAM)
    assert out.answer == "243" and all(c.answer == "243" for c in out.chains)
    assert out.search is not None and out.search.resamplings == 0 and out.search.pruned >= 1
    assert 1 <= len(out.chains) <= 8
    assert_every_step_decoded_once(out)
    assert [r.n for r in gen.requests][:2] == [8, 4]  # n first steps; then each of 8 / 4 = 2 beams 4 ways


def test_a_token_budget_stops_the_search_between_steps() -> None:
    gen = FakeGenerator([RIGHT])
    out = solve(gen, replace(PARTICLES, max_reasoning_tokens=20))
    assert out.search is not None and out.search.stop_reason == "max_reasoning_tokens"
    assert all(c.finish_reason == "abort" for c in out.chains)
    assert out.answer is None
    assert out.usage.reasoning_tokens < 20 + 8 * len("85*3=255\n")  # over by at most one round


def test_a_budget_stops_a_beam_search_with_at_most_n_chains() -> None:
    """14 of 16 first steps end the chain; the budget stops the 2 others' 8 branches: the answer
    has the 14 finished chains and 2 of the open ones (aborted), not all 4 beams."""
    gen = FakeGenerator(["A:5"] * 7 + ["1+1=2\n2+1=3\nA:3"])
    out = solve(gen, replace(BEAM, n=16, max_reasoning_tokens=60))
    assert out.search is not None and out.search.stop_reason == "max_reasoning_tokens"
    assert len(out.chains) == 16
    assert sum(c.finish_reason == "abort" for c in out.chains) == 2


def test_a_chain_out_of_tokens_ends_truncated_and_weighs_nothing() -> None:
    gen = FakeGenerator([RIGHT])
    out = solve(gen, replace(PARTICLES, max_tokens=12))  # room for one step and a bit of the next
    assert all(c.finish_reason == "length" for c in out.chains)
    assert out.answer is None and out.counts.truncated == 8


def test_streamed_progress_comes_after_every_step() -> None:
    async def events() -> list[object]:
        svc = service(FakeGenerator([WRONG, RIGHT]))
        async with aclosing(svc.stream(PARTICLES, "r")) as stream:
            return [e async for e in stream]

    got = asyncio.run(events())
    progress = [e for e in got if isinstance(e, Progress)]
    assert len(progress) >= 1 + 4  # the first, one a step, and the last
    assert progress[-1].stop_reason == "max_chains" and progress[-1].leading_answer == "243"
    assert isinstance(got[-1], Finished)


def test_closing_the_stream_aborts_every_branch() -> None:
    gen = FakeGenerator([WRONG, RIGHT], delay=0.2)

    async def leave_early() -> None:
        svc = service(gen)
        async with aclosing(svc.stream(PARTICLES, "r")) as stream:
            async for _ in stream:
                await asyncio.sleep(0.3)  # mid-way through the second step's requests
                assert gen.running > 0
                break
        assert gen.running == 0
        asked = len(gen.requests)
        await asyncio.sleep(0.5)
        assert len(gen.requests) == asked  # no step after the reader left

    asyncio.run(leave_early())


def test_the_outcome_model_cannot_select_a_step_search() -> None:
    with pytest.raises(InvalidRequest, match="particle_filtering"):
        solve(FakeGenerator(), replace(PARTICLES, selection="orm_max"))


def test_a_continuation_grows_the_tree_after_the_earlier_nodes() -> None:
    gen = FakeGenerator([WRONG, RIGHT])
    first = solve(gen)
    earlier = KeptSearch(first.params, tuple(first.chains), first.usage, first.search, tree=first.tree)
    more = replace(PARTICLES, n=4, seed=100)
    out = asyncio.run(service(gen).solve(more, "r", earlier=earlier))
    assert out.tree[: len(first.tree)] == first.tree
    new = out.tree[len(first.tree) :]
    assert new and all(n.node >= len(first.tree) for n in new)
    assert all(n.parent is None or n.parent >= len(first.tree) for n in new)
    assert len(out.chains) == 8 + 4 and out.chains[:8] == first.chains
    assert_every_step_decoded_once(out)
    assert out.search is not None and out.search.steps == first.search.steps + 4  # type: ignore[union-attr]


def test_the_tree_is_kept_in_the_audit_record_and_read_back() -> None:
    out = solve(FakeGenerator([WRONG, RIGHT]))
    content = json.loads(json.dumps(solve_content(out, stored=True)))
    assert tree_of(content) == out.tree
    assert [c.leaf for c in chains_of(content)] == [c.leaf for c in out.chains]
    kept = kept_search_of([chain_row(solve_entry(out, "key-a", stored=True), 1, GENESIS)])
    assert kept is not None and kept.tree == out.tree


def test_diverse_beams_keep_one_chain_in_each_subtree() -> None:
    gen = FakeGenerator([WRONG, RIGHT])
    out = solve(gen, BEAM, rules=StepRules(width=4, diverse=True))
    assert out.answer == "243"
    assert [r.n for r in gen.requests][:3] == [8, 4, 4]  # two subtrees, each its own best extended 4 ways
    assert_every_step_decoded_once(out)


def test_a_chain_whose_tokens_run_out_at_a_step_end_ends_once() -> None:
    """A step that ends exactly at the chain's budget leaves no token for the next: the chain ends
    there, counted once in the population (n chains answer, not more)."""
    gen = FakeGenerator([RIGHT])
    out = solve(gen, replace(PARTICLES, max_tokens=len("37+48=85\n")))
    assert len(out.chains) == 8 and all(c.finish_reason == "length" for c in out.chains)
    out = solve(gen, replace(BEAM, max_tokens=len("37+48=85\n")))
    assert len(out.chains) <= 8
