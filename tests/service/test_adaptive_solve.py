"""The adaptive strategy's orchestration, on fake engines: chains started in waves, cut when the
PRM rejects a step, stopped when the vote is decided or a budget runs out. (The rules themselves:
tests/core/test_adaptive.py; a real engine's aborts: tests/e2e.)"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from app.core.adaptive import PruneRule, SearchRules, StopRule
from app.errors import InvalidRequest
from app.service.events import Finished, Progress
from app.service.params import SolveParams
from app.service.solve import SolveService
from tests.fakes import FORMAT, PROBLEM, RIGHT, UNFINISHED, WRONG, ArithmeticScorer, FakeGenerator
from tests.services import solve_service

ADAPTIVE = SolveParams(
    problem=PROBLEM,
    n=64,
    temperature=1.0,
    max_tokens=40,
    seed=None,
    aggregation="min",
    selection="prm_weighted_vote",
    strategy="adaptive",
)
RULES = SearchRules(PruneRule(floor=0.2), StopRule(margin=2.0, share=0.8, min_votes=3), wave=4)


def service(gen: FakeGenerator, rules: SearchRules = RULES) -> SolveService:
    return solve_service(
        gen,
        ArithmeticScorer(),
        None,
        FORMAT,
        timeout_s=5.0,
        max_concurrent=4,
        search_rules=rules,
    )


def test_an_easy_problem_stops_when_the_vote_is_decided() -> None:
    gen = FakeGenerator([RIGHT], delay=0.02)
    out = asyncio.run(service(gen).solve(ADAPTIVE, "r"))
    assert out.answer == "243" and out.search is not None
    assert out.search.stop_reason in ("decided", "certain") and out.search.started < 16
    assert out.counts.sampled == out.search.started == len(out.chains)
    assert out.usage.reasoning_tokens < 16 * len(RIGHT)
    assert gen.running == 0  # no chain left decoding


def test_a_chain_with_a_wrong_step_is_cut_and_never_votes() -> None:
    gen = FakeGenerator([WRONG, RIGHT], delay=0.05)
    out = asyncio.run(service(gen).solve(ADAPTIVE, "r"))
    assert out.search is not None and out.search.pruned >= 1
    assert gen.stopped >= 1  # the engine's chain really stopped
    assert out.answer == "243" and [c.answer for c in out.clusters] == ["243"]
    pruned = [c for c in out.chains if c.finish_reason == "abort"]
    assert pruned and not any(c.votes for c in pruned)
    assert all(len(c.text) < len(WRONG) for c in pruned)  # cut before it ended


def test_the_token_budget_stops_the_search() -> None:
    gen = FakeGenerator([RIGHT], delay=0.05)
    never = SearchRules(None, StopRule(margin=1e9, share=1.0), wave=4)
    out = asyncio.run(service(gen, never).solve(replace(ADAPTIVE, max_reasoning_tokens=50), "r"))
    assert out.search is not None and out.search.stop_reason == "max_reasoning_tokens"
    # Over by at most the delta that crossed it and one delta per running chain (4 tokens each).
    assert out.usage.reasoning_tokens <= 50 + 4 * (4 + 1)
    assert gen.running == 0


def test_the_chain_budget_is_the_most_it_starts() -> None:
    """Chains cut off by their token budget never vote, so nothing decides: all 7 allowed run."""
    gen = FakeGenerator([UNFINISHED], delay=0.01)
    out = asyncio.run(service(gen).solve(replace(ADAPTIVE, n=7), "r"))
    assert out.search is not None and out.search.stop_reason == "max_chains"
    assert out.search.started == out.counts.sampled == out.search.truncated == out.counts.truncated == 7
    assert out.answer is None


def test_streamed_progress_reports_pruning_and_the_stop() -> None:
    async def run() -> list[object]:
        gen = FakeGenerator([WRONG, RIGHT], delay=0.05)
        return [e async for e in service(gen).stream(ADAPTIVE, "r")]

    events = asyncio.run(run())
    progress = [e for e in events if isinstance(e, Progress)]
    assert any(p.chains_pruned for p in progress)
    assert progress[-1].stop_reason is not None and isinstance(events[-1], Finished)


def test_adaptive_votes_with_the_prm() -> None:
    with pytest.raises(InvalidRequest, match="prm_weighted_vote"):
        asyncio.run(service(FakeGenerator()).solve(replace(ADAPTIVE, selection="majority_vote"), "r"))


def test_orm_max_under_a_token_budget_reads_the_outcome_model_too() -> None:
    gen = FakeGenerator([RIGHT, WRONG], delay=0.02)
    svc = solve_service(
        gen,
        ArithmeticScorer(),
        ArithmeticScorer(),
        FORMAT,
        timeout_s=5.0,
        max_concurrent=4,
        search_rules=RULES,
    )
    params = replace(ADAPTIVE, strategy="fixed", n=4, selection="orm_max", max_reasoning_tokens=1000)
    out = asyncio.run(svc.solve(params, "r"))
    assert out.search is not None and out.search.stop_reason == "max_chains" and out.answer == "243"
    assert all(c.outcome_score is not None for c in out.chains)


def test_a_chain_that_ended_is_judged_by_its_final_steps_not_a_late_partial_score() -> None:
    """The scorer answers after the chains have ended: their partial scores arrive late and must
    not prune them; every chain is counted as finished, by its final score."""
    gen = FakeGenerator([WRONG, RIGHT])
    svc = solve_service(
        gen,
        ArithmeticScorer(delay=0.05),
        None,
        FORMAT,
        timeout_s=5.0,
        max_concurrent=4,
        search_rules=RULES,
    )
    out = asyncio.run(svc.solve(replace(ADAPTIVE, n=8), "r"))
    assert out.search is not None and out.search.pruned == 0
    assert out.search.finished == out.search.started == out.counts.sampled


def test_a_chain_that_wrote_no_step_ends_the_search_like_any_other() -> None:
    """Nothing to score, so no score ever arrives: the chain is counted as finished without one."""
    gen = FakeGenerator([""])
    out = asyncio.run(service(gen).solve(replace(ADAPTIVE, n=5), "r"))
    assert out.search is not None and out.search.stop_reason == "max_chains"
    assert out.search.finished == out.search.started == 5 and out.answer is None
