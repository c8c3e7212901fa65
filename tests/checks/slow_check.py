"""A step check that hangs on a step saying so: what the pool must kill (imported by name in the
pool's spawned processes)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from app.checks.registry import check_one
from app.checks.verdicts import StepCheck

HANG = "hang"


def hanging_check(name: str, problem: str, previous: Sequence[str], step: str) -> StepCheck:
    if step == HANG:
        time.sleep(600)
    return check_one(name, problem, previous, step)
