"""What a step check says, how several checkers' verdicts on one step combine, and what a verdict
does to the reward model's score of that step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Verdict = Literal["pass", "fail", "none"]
VERDICTS: tuple[Verdict, ...] = ("pass", "fail", "none")


@dataclass(frozen=True, slots=True)
class StepCheck:
    """One step's verdict; `checker` names who decided it, `claim` is the claim as it was read
    (normalized, e.g. ``37-82=-45``) and `value` what the checker computed for it. Claim and
    value are hidden-chain text: kept in the audit record, never in a response."""

    verdict: Verdict = "none"
    checker: str | None = None
    claim: str | None = None
    value: str | None = None
    elapsed_ms: float = 0.0


NO_CLAIM = StepCheck()


class Checker(Protocol):
    """Reads one step of a chain, knowing the problem and the steps before it. Must never raise
    and never call anything outside itself: an error is `none`."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def check(self, problem: str, previous: Sequence[str], step: str) -> StepCheck: ...


def combine(checks: Sequence[StepCheck]) -> StepCheck:
    """Several checkers' verdicts on one step: any `fail` decides (a claim found false is false
    whoever else found nothing), else any `pass`, else `none` (with what a checker read, if any)."""
    for verdict in ("fail", "pass"):
        for check in checks:
            if check.verdict == verdict:
                return check
    return next((check for check in checks if check.claim is not None), NO_CLAIM)


def capped(scores: Sequence[float], checks: Sequence[StepCheck], cap: float) -> list[float]:
    """The reward model's step scores with every failed step's held at or below `cap`. A `pass`
    never raises a score: a true claim can still be the wrong step (ungrounded, or off the
    problem)."""
    return [
        min(score, cap) if i < len(checks) and checks[i].verdict == "fail" else score for i, score in enumerate(scores)
    ]


def unfinished(checks: Sequence[StepCheck]) -> bool:
    """Whether a step set a computation equal to nothing: no verdict, but a claim read."""
    return any(check.verdict == "none" and check.claim is not None for check in checks)


def first_failure(checks: Sequence[StepCheck]) -> int | None:
    """The index of the first failed step, or None."""
    return next((i for i, check in enumerate(checks) if check.verdict == "fail"), None)
