"""The step checkers the service knows, by name, and how one step is checked by several."""

from __future__ import annotations

import time
from collections.abc import Sequence

from app.checks import arith, numeric
from app.checks.arith import ArithChecker
from app.checks.latex import LatexChecker
from app.checks.numeric import NumericChecker
from app.checks.verdicts import NO_CLAIM, Checker, StepCheck, combine

CHECKERS: dict[str, Checker] = {c.name: c for c in (NumericChecker(), LatexChecker(), ArithChecker())}
# Parsing LaTeX can run long on adversarial input: these run where a timeout can kill them.
HEAVY: frozenset[str] = frozenset({"latex"})


def versions(names: Sequence[str]) -> dict[str, str]:
    return {name: CHECKERS[name].version for name in names}


def check_one(name: str, problem: str, previous: Sequence[str], step: str) -> StepCheck:
    """One checker's verdict on one step, timed; any error is `none`."""
    started = time.perf_counter()
    try:
        verdict = CHECKERS[name].check(problem, previous, step)
    except Exception:  # a checker must never fail a request: an error is no verdict
        verdict = NO_CLAIM
    elapsed_ms = (time.perf_counter() - started) * 1000
    return StepCheck(verdict.verdict, verdict.checker, verdict.claim, verdict.value, elapsed_ms)


def check_step(names: Sequence[str], problem: str, previous: Sequence[str], step: str) -> StepCheck:
    """Every named (light) checker's verdict on one step, combined."""
    return combine([check_one(name, problem, previous, step) for name in names])


class UnknownChecker(ValueError):
    """A checker name the service does not know."""


def known(names: Sequence[str]) -> tuple[str, ...]:
    """The names, checked, without repeats, in the order given."""
    unknown = [name for name in names if name not in CHECKERS]
    if unknown:
        raise UnknownChecker(
            f"no step checker named {', '.join(map(repr, unknown))}; the checkers are: {', '.join(CHECKERS)}"
        )
    return tuple(dict.fromkeys(names))


def forget() -> None:
    """Drop what the checkers remember across calls (what a request's chains share), so that a
    benchmark times each request as if it came first."""
    numeric.evaluate.cache_clear()
    arith.program.cache_clear()
