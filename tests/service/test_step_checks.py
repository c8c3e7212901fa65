"""Step checks in the pipeline, on fake engines: each step checked once, a false step's score
capped before anything reads it, a vetoed chain cut by the adaptive search and never the verified
answer, and what the checkers found in the outcome (counts, never a claim)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from app.checks.verdicts import StepCheck
from app.core.adaptive import PruneRule, SearchRules, StopRule
from app.engines.protocols import StepScores
from app.service.params import SolveParams
from app.service.step_checks import CheckedScorer, RequestChecks, in_words, tally
from tests.fakes import FORMAT, PROBLEM, RIGHT, WRONG, ArithmeticScorer, FakeGenerator
from tests.services import solve_service

CHECKED = SolveParams(PROBLEM, 8, 1.0, 40, 3, "min", "prm_weighted_vote", checks=("numeric", "arith"))


@dataclass
class ApprovingScorer(ArithmeticScorer):
    """A reward model that approves every step, true or false: what a PRM does with arithmetic it
    cannot follow (the task's out-of-range problems)."""

    calls: list[list[list[str]]] = field(default_factory=list)

    @staticmethod
    def step_score(step: str) -> float:
        return 0.99

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores:
        self.calls.append([list(c) for c in chains])
        return StepScores([[0.99] * len(c) for c in chains], sum(len(c) for c in chains))


@dataclass
class CountingChecks:
    """A heavy-check runner that counts what it is asked (and finds nothing)."""

    asked: list[tuple[str, str]] = field(default_factory=list)

    async def check(
        self, name: str, problem: str, items: Sequence[tuple[Sequence[str], str]], rid: str
    ) -> list[StepCheck]:
        self.asked.extend((name, step) for _, step in items)
        return [StepCheck() for _ in items]

    async def close(self) -> None:
        pass


def test_each_step_is_checked_once_however_often_its_chain_is_read() -> None:
    heavy = CountingChecks()
    checks = RequestChecks(("numeric", "latex"), PROBLEM, heavy, "r", cap=0.0)
    grown = ["37+48=85", "85*3=245", "245-12=233"]
    first = asyncio.run(checks.chains([grown[:1], grown[:2]]))
    again = asyncio.run(checks.chains([grown, grown[:2]]))
    assert [c.verdict for c in first[1]] == ["pass", "fail"] and [c.verdict for c in again[0]] == [
        "pass",
        "fail",
        "pass",
    ]
    assert heavy.asked == [("latex", "37+48=85"), ("latex", "85*3=245"), ("latex", "245-12=233")]


def test_a_false_steps_score_is_capped_and_a_true_ones_never_raised() -> None:
    scorer = ApprovingScorer()
    checks = RequestChecks(("numeric",), PROBLEM, None, "r", cap=0.1)
    scored = asyncio.run(CheckedScorer(scorer, checks).score(PROBLEM, [WRONG.split("\n")], "r"))
    assert scored.per_chain == [[0.99, 0.1, 0.99, 0.99]]
    low = asyncio.run(CheckedScorer(ArithmeticScorer(), checks).score(PROBLEM, [["37+48=85"]], "r"))
    assert low.per_chain == [[0.95]]  # a pass leaves the PRM's score as it was


def test_a_vetoed_answer_is_never_verified_however_the_prm_scored_it() -> None:
    service = solve_service(FakeGenerator([WRONG]), ApprovingScorer(), None, FORMAT)
    unchecked = asyncio.run(service.solve(replace(CHECKED, checks=()), "a"))
    checked = asyncio.run(service.solve(CHECKED, "b"))
    assert unchecked.answer == checked.answer == "233"
    assert unchecked.verified and not checked.verified  # unanimous, approved, and false
    assert checked.winner_step_checks == ("pass", "fail", "pass", "none")
    assert checked.checks is not None and checked.checks.chains_vetoed == 8 and checked.checks.steps_failed == 8
    assert unchecked.checks is None and unchecked.winner_step_checks == ()


def test_the_right_answer_wins_over_more_chains_whose_steps_are_false() -> None:
    chains = [WRONG, WRONG, WRONG, RIGHT]
    service = solve_service(FakeGenerator(chains), ApprovingScorer(), None, FORMAT)
    assert asyncio.run(service.solve(replace(CHECKED, n=4, checks=()), "a")).answer == "233"
    checked = asyncio.run(service.solve(replace(CHECKED, n=4), "b"))
    assert checked.answer == "243" and checked.verified
    assert {c.answer: c.weight for c in checked.clusters}["233"] == 0.0


def test_the_adaptive_search_cuts_a_chain_at_its_first_false_step() -> None:
    rules = SearchRules(PruneRule(floor=0.0), StopRule(margin=2.0, share=0.8, min_votes=3), wave=4)
    adaptive = replace(CHECKED, n=16, strategy="adaptive")
    gen = FakeGenerator([WRONG, RIGHT], delay=0.05)
    out = asyncio.run(solve_service(gen, ApprovingScorer(), None, FORMAT, search_rules=rules).solve(adaptive, "r"))
    assert out.search is not None and out.search.pruned >= 1 and gen.stopped >= 1
    assert all(p.steps_scored == 2 for p in out.prunes)  # at `85*3=245`, not later
    assert out.answer == "243"


def test_the_outcome_says_what_was_checked_in_counts_and_words_only() -> None:
    out = asyncio.run(solve_service(FakeGenerator([WRONG, RIGHT]), ApprovingScorer(), None, FORMAT).solve(CHECKED, "r"))
    assert out.checks is not None and out.checks.checkers == {"numeric": "1", "arith": "1"}
    checks = out.checks
    assert checks.steps_checked == checks.steps_passed + checks.steps_failed + checks.steps_none == 8 * 4
    assert "4 of 8 chains were rejected for a false step" in out.summary
    assert "85*3=245" not in out.summary and "245" not in out.summary.split(".")[-2]
    winner = out.chains[out.winner_index or 0]
    assert in_words(checks, winner, 8).startswith("A calculator and the task's own step check confirmed all 3")
    assert tally(out.chains, checks.checkers) == checks
