"""The shipped arithmetic task's step grammar, which the service reads to check and summarise a chain.

A chain has one operation per step, then an answer line (``A:243``). The first step writes both
operands (``37+48=85``); a later step starts with its operator (``*3=255``): its left operand is
the previous step's result, so a chain never has to copy a value it could not write (the
calculator fills in a negative or five-digit result, and the next step goes on from it). A step
that writes its left operand (``85*3=255``) reads the same. The prompt, separator and answer prefix
come from the model's format (the `arith` preset); the lab's task checker judges chains with this
same grammar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_STEP = re.compile(r"^(-?\d+)?([+\-*])(\d+)=(-?\d+)$")


@dataclass(frozen=True, slots=True)
class Operation:
    """One step of a chain: ``left op right = result``, as written (not checked)."""

    left: int
    op: str
    right: int
    result: int

    @property
    def written_out(self) -> str:
        return f"{self.left}{self.op}{self.right}={self.result}"


def parse_step(step: str, standing: int | None = None) -> Operation | None:
    """The operation a step writes, or None when the step is not one (an answer line, or text).
    `standing` is the previous step's result: the left operand of a step that starts with its
    operator (without it, such a step cannot be read)."""
    m = _STEP.match(step)
    if m is None:
        return None
    left = int(m.group(1)) if m.group(1) is not None else standing
    if left is None:
        return None
    return Operation(left, m.group(2), int(m.group(3)), int(m.group(4)))


def read_operations(steps: Sequence[str]) -> list[Operation | None]:
    """Every step's operation in chain order, a step without its left operand going on from the
    last operation's result (None for a step that is not an operation)."""
    out: list[Operation | None] = []
    standing: int | None = None
    for step in steps:
        operation = parse_step(step, standing)
        if operation is not None:
            standing = operation.result
        out.append(operation)
    return out


def written_out(steps: Sequence[str]) -> list[str]:
    """The steps with every left operand written: how a reward model trained on the full form reads them."""
    return [op.written_out if op is not None else step for step, op in zip(steps, read_operations(steps), strict=True)]
