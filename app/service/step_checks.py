"""One request's step checks: the checkers read the same settled steps the reward model reads,
each step once (a growing chain's earlier steps keep their verdicts), and a failed step's score
is capped before anything reads it, so selection, the adaptive search's pruning, a step-level
search's weights and the confidence all see the capped score.

The light checkers run here, in the API process (pure, microseconds a step); the heavy ones
(LaTeX) where the engines put them: a process pool that kills a check on its timeout, or the
reward worker's."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.checks.registry import HEAVY, check_step, versions
from app.checks.verdicts import NO_CLAIM, StepCheck, capped, combine
from app.engines.check_pool import HeavyChecks
from app.engines.protocols import ScoresSteps, StepScores
from app.errors import InvalidRequest
from app.service.outcome import ChainRecord, CheckTally

Steps = tuple[str, ...]


class RequestChecks:
    def __init__(
        self, names: Sequence[str], problem: str, heavy: HeavyChecks | None, request_id: str, cap: float
    ) -> None:
        self.names = tuple(names)
        self.versions = versions(self.names)
        self._light = [n for n in self.names if n not in HEAVY]
        self._heavy = [n for n in self.names if n in HEAVY]
        if self._heavy and heavy is None:
            raise InvalidRequest(f"this server runs no heavy step checkers ({', '.join(self._heavy)})", "checks")
        self._runner = heavy
        self._problem, self._request_id, self.cap = problem, request_id, cap
        self._known: dict[Steps, StepCheck] = {}  # a chain's steps through a step → that step's verdict

    async def chains(self, chains: Sequence[Sequence[str]]) -> list[list[StepCheck]]:
        """Every step of every chain checked (what was checked before is not checked again)."""
        todo = list(dict.fromkeys(tuple(c[: i + 1]) for c in chains for i in range(len(c))))
        todo = [through for through in todo if through not in self._known]
        if todo:
            await self._check(todo)
        return [self.known(c) for c in chains]

    def known(self, steps: Sequence[str]) -> list[StepCheck]:
        """The verdicts of a chain's steps so far as they were checked (`none` where one was not)."""
        return [self._known.get(tuple(steps[: i + 1]), NO_CLAIM) for i in range(len(steps))]

    async def _check(self, todo: list[Steps]) -> None:
        items = [(through[:-1], through[-1]) for through in todo]
        runner = self._runner
        calls = [runner.check(name, self._problem, items, self._request_id) for name in self._heavy] if runner else []
        heavy = await asyncio.gather(*calls)
        for k, (previous, step) in enumerate(items):
            light = check_step(self._light, self._problem, previous, step) if self._light else NO_CLAIM
            self._known[todo[k]] = combine([light, *(verdicts[k] for verdicts in heavy)])


@dataclass(frozen=True, slots=True)
class CheckedScorer:
    """A reward model's scores with each failed step's capped (`RequestChecks.cap`); the checks
    run while the reward model reads."""

    scorer: ScoresSteps
    checks: RequestChecks

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores:
        scores, verdicts = await asyncio.gather(
            self.scorer.score(problem, chains, request_id), self.checks.chains(chains)
        )
        per_chain = [capped(s, v, self.checks.cap) for s, v in zip(scores.per_chain, verdicts, strict=True)]
        return replace(scores, per_chain=per_chain)


def tally(records: Sequence[ChainRecord], checkers: dict[str, str]) -> CheckTally:
    verdicts = [check.verdict for record in records for check in record.step_checks]
    return CheckTally(
        checkers=checkers,
        steps_checked=len(verdicts),
        steps_passed=verdicts.count("pass"),
        steps_failed=verdicts.count("fail"),
        steps_none=verdicts.count("none"),
        chains_vetoed=sum(record.vetoed for record in records),
    )


_SAID = {"numeric": "a calculator", "latex": "a symbolic algebra check", "arith": "the task's own step check"}


def in_words(checks: CheckTally, winner: ChainRecord | None, chains: int) -> str:
    """One sentence on what the checkers found, in counts: never a claim or a step's text."""
    who = " and ".join(_SAID.get(name, name) for name in checks.checkers)
    parts = []
    if winner is not None:
        passed = sum(c.verdict == "pass" for c in winner.step_checks)
        failed = sum(c.verdict == "fail" for c in winner.step_checks)
        if failed:
            parts.append(f"{who} found {failed} step{'s' * (failed != 1)} of the chosen solution false")
        elif passed:
            parts.append(f"{who} confirmed {'all ' * (passed > 1)}{passed} checked step{'s' * (passed != 1)}")
    if checks.chains_vetoed:
        parts.append(f"{checks.chains_vetoed} of {chains} chains were rejected for a false step")
    if not parts:
        return ""
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."
