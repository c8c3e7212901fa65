"""The shipped task's own grammar: the arithmetic, and whether a step goes on from the result
before it with the problem's next operation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.checks.arith import ArithChecker, program

PROBLEM = "((37-82)*3)+10"


def verdicts(problem: str, steps: list[str]) -> list[str]:
    return [ArithChecker().check(problem, steps[:i], step).verdict for i, step in enumerate(steps)]


def test_a_right_chain_through_negative_values_passes() -> None:
    assert verdicts(PROBLEM, ["37-82=-45", "-45*3=-135", "-135+10=-125", "A:-125"]) == [
        "pass", "pass", "pass", "none"
    ]  # fmt: skip


def test_an_ungrounded_step_fails_though_its_arithmetic_is_true() -> None:
    """The generator wrote `37-82=` with no result and went on from a number it made up."""
    assert verdicts(PROBLEM, ["37-82=", "45*3=135", "135+10=145", "A:145"]) == ["none", "fail", "fail", "none"]


def test_a_wrong_operand_fails() -> None:
    assert verdicts(PROBLEM, ["37-82=-45", "-45+3=-42"]) == ["pass", "fail"]


@pytest.mark.parametrize(
    ("problem", "parsed"),
    [
        ("((37+48)*3)-12", (37, (("+", 48), ("*", 3), ("-", 12)))),
        ("37+48", (37, (("+", 48),))),
        ("37+48*3", None),  # precedence: no single order of steps
        ("(37+48)*(3+2)", None),
        ("(37+48*3", None),
    ],
)
def test_the_problems_program(problem: str, parsed: object) -> None:
    assert program(problem) == parsed


@given(st.integers(10, 99), st.integers(10, 99), st.integers(-3, 3).filter(bool))
def test_outside_the_tasks_shape_only_the_arithmetic_is_checked(a: int, b: int, off: int) -> None:
    nested = f"({a}+{b})*(3+2)"
    assert verdicts(nested, [f"{a}+{b}={a + b}", "3+2=5", f"{a + b}*5={(a + b) * 5}"]) == ["pass"] * 3
    assert verdicts(nested, [f"{a}+{b}={a + b + off}"]) == ["fail"]
