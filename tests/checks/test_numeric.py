"""The calculator: a true claim never fails, a false one never passes, and what it cannot read
with certainty (or is too large to compute) is `none`."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.checks.numeric import NumericChecker, check_text

OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}
SPELLED = {"+": ["+"], "-": ["-", "\u2212"], "*": ["*", "×", "x", "·"], "/": ["/", "÷"]}
numbers = st.integers(0, 10**9)
surroundings = st.sampled_from([("", ""), ("So ", "."), ("We get ", " apples"), ("Total: ", ", so"), ("", " in all.")])


def show(value: Fraction) -> str:
    assert value.denominator == 1
    return str(value.numerator)


@st.composite
def claims(draw: st.DrawFn) -> tuple[str, Fraction, str, Fraction]:
    op = draw(st.sampled_from(sorted(OPS)))
    a, b = Fraction(draw(numbers)), Fraction(draw(numbers))
    if op == "/":
        b = Fraction(draw(st.integers(1, 1000)))
        a = b * draw(st.integers(0, 10**6))  # a whole quotient: the claim is written exactly
    spelled = draw(st.sampled_from(SPELLED[op]))
    return f"{a} {spelled} {b}", OPS[op](a, b), op, b


@given(claims(), surroundings)
def test_a_true_claim_passes(claim: tuple[str, Fraction, str, Fraction], around: tuple[str, str]) -> None:
    expression, value, _, _ = claim
    before, after = around
    verdict = check_text(f"{before}{expression} = {show(value)}{after}")
    assert verdict.verdict == "pass", verdict


@given(claims(), surroundings, st.integers(-1000, 1000).filter(bool))
def test_a_false_claim_fails(claim: tuple[str, Fraction, str, Fraction], around: tuple[str, str], off: int) -> None:
    expression, value, _, _ = claim
    before, after = around
    verdict = check_text(f"{before}{expression} = {show(value + off)}{after}")
    assert verdict.verdict == "fail", verdict
    assert verdict.value == show(value) and verdict.checker == "numeric"


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6))
def test_the_shipped_tasks_steps_with_negative_values(a: int, b: int) -> None:
    assert check_text(f"{a}-{b}={a - b}").verdict == "pass"
    assert check_text(f"{a}-{b}={a - b + 1}").verdict == "fail"


@pytest.mark.parametrize(
    ("step", "verdict"),
    [
        ("Natalia sold 48/2 = <<48/2=24>>24 clips in May.", "pass"),
        ("Natalia sold 48/2 = <<48/2=25>>25 clips in May.", "fail"),
        ("She earns $1,200 / 4 = $300 a week.", "pass"),
        ("20% of the 50 pupils: 20% * 50 = 10", "pass"),
        ("0.5 + 1/4 = 0.75", "pass"),
        ("10/3 = 3.33, rounded", "pass"),  # rounded to the places it is written with
        ("10/3 = 3.34", "fail"),
        ("1/4 = 25%", "pass"),
        ("25/100*100 = 25%", "pass"),
        ("5 + 3 = 8 - 2 = 6", "pass"),  # a running total: the first number is the claim's
        ("5 + 3 = 9 - 2 = 7", "fail"),
        ("3 hours * 60 = 180 minutes", "none"),  # a word between operands: cannot be told
        ("2x + 3 = 7", "none"),  # an equation, not a claim
        ("So x - 5 = 10", "none"),
        ("x = 5", "none"),
        ("37-82=", "none"),  # no result written: nothing claimed (the task's own check catches what follows)
        ("50 + 10% = 55", "none"),  # a percentage added: 55 to its writer, 50.1 to a calculator
        ("2^10 = 1024", "pass"),
        ("The answer is 42.", "none"),
    ],
)
def test_free_text_and_gsm8k_notation(step: str, verdict: str) -> None:
    assert check_text(step).verdict == verdict


huge = "1" * 10**6


@settings(deadline=1000, max_examples=30)
@given(
    st.sampled_from(
        [
            f"{huge}+1={huge}2",
            f"{huge}*{huge}=1",
            "(" * 10_000 + "1" + ")" * 10_000 + "+1=2",
            '__import__("os").system("true")+1=2',
            "(lambda: 1)()+1=2",
            "9**9**9**9=1",
            "2^1000000=1",
            "10^100000*10^100000=1",
            "٣+٤=٧",  # Arabic-Indic digits: not numbers here
            "３+４=７",  # fullwidth digits
            "1/0=1",
            "=" * 1000,
            "1e999+1=1",
        ]
    ),
    st.text(alphabet="abc xyz,.:", max_size=20),
)
def test_malformed_or_huge_input_is_none(step: str, words: str) -> None:
    assert NumericChecker().check("", [], f"{words} {step}").verdict == "none"


@given(st.text(max_size=300))
def test_any_text_gets_a_verdict_and_never_raises(text: str) -> None:
    assert NumericChecker().check("", [], text).verdict in ("pass", "fail", "none")


def test_a_computation_set_equal_to_nothing_is_no_claim_but_is_read() -> None:
    """`37-82=` then a made-up number: nothing false is claimed, so nothing is vetoed; what the
    calculator read goes to the confidence, which learns what such a chain is worth."""
    verdict = check_text("37-82=")
    assert verdict.verdict == "none" and verdict.claim == "37-82=" and verdict.value == "-45"
    assert check_text("x - 5 =").claim is None and check_text("so =").claim is None
    assert check_text("3+4=7, then 7*2=").verdict == "pass"  # a claim made outweighs one left open
