"""The shipped arithmetic task's step grammar, which the service reads to summarise a chain.

A chain has one operation per step (``37+48=85``), then an answer line (``A:243``); the prompt,
separator and answer prefix come from the model's format (the `arith` preset). The lab's task checker judges
chains with this same grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STEP = re.compile(r"^(-?\d+)([+\-*])(\d+)=(-?\d+)$")


@dataclass(frozen=True, slots=True)
class Operation:
    """One step of a chain: ``left op right = result``, as written (not checked)."""

    left: int
    op: str
    right: int
    result: int


def parse_step(step: str) -> Operation | None:
    """The operation a step writes, or None when the step is not one (an answer line, or text)."""
    m = _STEP.match(step)
    if m is None:
        return None
    return Operation(int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4)))
