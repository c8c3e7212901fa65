"""Recorded chains as the service sees them under a set of step checkers: each step checked by the
service's own checkers, a failed step's score capped as the service caps it. The fits and replays
then read the scores the live pipeline would have, without sampling again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.checks.registry import check_step
from app.checks.verdicts import StepCheck, capped, first_failure, unfinished
from lab.evaluation.metrics import ProblemSamples

# The arms the evaluation compares: no check; the calculator alone (what transfers to any model);
# the calculator with the shipped task's own grammar (an upper bound for the task).
ARMS: dict[str, tuple[str, ...]] = {
    "no checks": (),
    "calculator": ("numeric",),
    "calculator + task": ("numeric", "arith"),
}


def chain_checks(problem: str, steps: Sequence[str], names: Sequence[str]) -> list[StepCheck]:
    return [check_step(names, problem, steps[:i], step) for i, step in enumerate(steps)]


def under_checks(s: ProblemSamples, names: Sequence[str], cap: float = 0.0) -> ProblemSamples:
    """`s` with every chain's steps checked by `names` and each failed step's score capped."""
    if not names:
        return replace(s, failed=[False] * len(s.answers), unfinished=[False] * len(s.answers))
    if len(s.steps) != len(s.answers):
        raise ValueError("these samples were recorded without their steps: sample them again")
    checks = [chain_checks(s.text, steps, names) for steps in s.steps]
    return replace(
        s,
        step_scores=[capped(scores, c, cap) for scores, c in zip(s.step_scores, checks, strict=True)],
        failed=[first_failure(c) is not None for c in checks],
        unfinished=[unfinished(c) for c in checks],
    )
