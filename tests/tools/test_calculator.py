"""The calculator: exact values of what a step sets equal, and an error for anything else."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tools.calculator import calculate, show


@given(st.integers(-(10**6), 10**6), st.sampled_from("+-*"), st.integers(0, 10**6))
def test_an_operation_of_integers_is_its_exact_value(left: int, op: str, right: int) -> None:
    value = {"+": left + right, "-": left - right, "*": left * right}[op]
    result = calculate(f"{left}{op}{right}")
    assert result.outcome == "ok" and result.output == str(value)


@pytest.mark.parametrize(
    ("code", "output"),
    [
        ("13-86", "-73"),  # below zero: what the shipped generator cannot write itself
        ("5056*8", "40448"),  # past the task's 9999
        ("1,200 / 4", "300"),
        ("20% * 50", "10"),
        ("1/3", "0.333333"),
        ("2/4", "0.5"),
        ("2^10", "1024"),
        ("(3 + 4) * 2", "14"),
    ],
)
def test_it_writes_a_steps_value(code: str, output: str) -> None:
    assert calculate(code).output == output


@pytest.mark.parametrize(
    "code",
    ["__import__('os').system('id')", "9**9**9**9", "1/0", "x + 1", "(" * 50 + "1" + ")" * 50, "1" * 5000, "٣+٤"],
)
def test_what_it_cannot_compute_with_certainty_is_an_error_not_a_value(code: str) -> None:
    result = calculate(code)
    assert result.outcome == "error" and result.failed and "cannot compute" in result.output


@given(st.fractions(max_denominator=10**4).filter(lambda f: abs(f) < 10**6))
def test_a_shown_value_is_within_its_places_of_the_exact_one(value: Fraction) -> None:
    assert abs(Fraction(show(value)) - value) <= Fraction(1, 2 * 10**6)
