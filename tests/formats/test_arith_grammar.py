"""The shipped task's step grammar: a later step may leave its left operand to the previous result."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.formats.arith import Operation, parse_step, read_operations, written_out


def test_a_step_that_starts_with_its_operator_goes_on_from_the_previous_result() -> None:
    steps = ["13-86=-73", "*8=-584", "+99=-485", "A:-485"]
    assert read_operations(steps) == [
        Operation(13, "-", 86, -73),
        Operation(-73, "*", 8, -584),
        Operation(-584, "+", 99, -485),
        None,
    ]
    assert written_out(steps) == ["13-86=-73", "-73*8=-584", "-584+99=-485", "A:-485"]


def test_a_shorthand_step_with_nothing_before_it_is_not_an_operation() -> None:
    assert parse_step("*3=255") is None
    assert read_operations(["hello", "*3=255"]) == [None, None]
    assert parse_step("-12=243", standing=255) == Operation(255, "-", 12, 243)


@given(st.lists(st.tuples(st.sampled_from("+-*"), st.integers(0, 999), st.integers(-99999, 99999)), max_size=6))
def test_written_out_steps_read_as_the_shorthand_does(ops: list[tuple[str, int, int]]) -> None:
    steps = ["37+48=85", *(f"{op}{right}={result}" for op, right, result in ops)]
    assert read_operations(written_out(steps)) == read_operations(steps)
    assert written_out(written_out(steps)) == written_out(steps)
