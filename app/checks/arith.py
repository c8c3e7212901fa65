"""`arith`: the shipped task's own grammar. A step ``left op right = result`` must be right, and
must go on from where the chain stands: its left operand is the previous step's result (the first
step's, the problem's first number) and its operation is the problem's next one. A step that
starts with its operator (``*3=255``) takes the previous result as its left operand.

This knows the task, so it is an upper bound on what a checker can do for it, reported apart
from the calculator (`numeric`). It catches what a calculator cannot: a chain that wrote
``37-82=`` with no result and went on from a number it made up. Problems outside the task's
shape (``37+48*3``, ``(37+48)*(3+2)``) have no single order of steps: there only the arithmetic
is checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from app.checks.verdicts import NO_CLAIM, StepCheck
from app.formats.arith import Operation, read_operations

NAME, VERSION = "arith", "1"

# A fully parenthesised left-to-right expression: `((37+48)*3)-12` (operands of any size here).
_PROBLEM = re.compile(r"\(*(-?\d{1,12})((?:[+\-*]\d{1,12}\)?)+)")
_OPERATION = re.compile(r"([+\-*])(\d{1,12})\)?")


@lru_cache(maxsize=1024)  # read for every step of every chain of a problem
def program(problem: str) -> tuple[int, tuple[tuple[str, int], ...]] | None:
    """The problem as its first number and operations in order; None when it is not of the
    task's left-to-right shape (then a step's place in it cannot be told)."""
    text = problem.strip()
    match = _PROBLEM.fullmatch(text)
    if match is None or text.count("(") != text.count(")"):
        return None
    found = list(_OPERATION.finditer(match.group(2)))
    opening = len(text) - len(text.lstrip("("))
    # `((a+b)*c)-d`: every operation but the last closes one bracket; any other layout mixes orders.
    closes = [m.group(0).endswith(")") for m in found]
    if opening != len(found) - 1 or closes != [True] * (len(found) - 1) + [False]:
        return None
    operations = tuple((m.group(1), int(m.group(2))) for m in found)
    return int(match.group(1)), operations


def apply(left: int, op: str, right: int) -> int:
    return left + right if op == "+" else left - right if op == "-" else left * right


class ArithChecker:
    name, version = NAME, VERSION

    def check(self, problem: str, previous: Sequence[str], step: str) -> StepCheck:
        read = read_operations([*previous, step])
        operation = read[-1]
        if operation is None:
            return NO_CLAIM
        claim = operation.written_out
        value = apply(operation.left, operation.op, operation.right)
        if value != operation.result:
            return StepCheck("fail", NAME, claim, str(value))
        expected = _expected(problem, [done for done in read[:-1] if done is not None])
        if expected is not None and (operation.left, operation.op, operation.right) != expected:
            return StepCheck("fail", NAME, claim, f"{expected[0]}{expected[1]}{expected[2]}")
        return StepCheck("pass", NAME, claim, str(value))


def _expected(problem: str, done: list[Operation]) -> tuple[int, str, int] | None:
    """The operation the next step should write, or None when it cannot be told (the problem is
    not of the task's shape, or the chain is past its last operation)."""
    parsed = program(problem)
    if parsed is None:
        return None
    start, operations = parsed
    if len(done) >= len(operations):
        return None
    op, right = operations[len(done)]
    return _standing(start, done), op, right


def _standing(start: int, done: list[Operation]) -> int:
    """Where the chain stands: the last step's written result (the problem's first number before any)."""
    return done[-1].result if done else start
