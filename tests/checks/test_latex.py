"""LaTeX equalities as Qwen2.5-Math and R1-style models write them, checked by value; an
equation in a variable is never failed; the pool kills a check that runs past its timeout."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.checks.latex import LatexChecker
from app.engines.check_pool import CheckPool
from tests.checks.slow_check import HANG, hanging_check

# Steps in Qwen2.5-Math-7B-Instruct's style (\[ ... \] displays, \times, \frac, \boxed).
QWEN_STEPS = [
    ("To find the total cost, we multiply: \\[ 3 \\times 85 = 255 \\]", "pass"),
    ("To find the total cost, we multiply: \\[ 3 \\times 85 = 265 \\]", "fail"),
    ("Adding the fractions: \\[ \\frac{3}{4} + 1 = \\frac{7}{4} \\]", "pass"),
    ("Adding the fractions: \\[ \\frac{3}{4} + 1 = \\frac{8}{4} \\]", "fail"),
    ("Then \\(\\sqrt{144} = 12\\), so each side is 12.", "pass"),
    ("So the area is $12^2 = 144$ square units.", "pass"),
    ("So the area is $12^2 = 124$ square units.", "fail"),
    ("Each of the $1{,}000 \\div 8 = 125$ boxes", "pass"),
    ("She pays $\\$5 \\cdot 3 = \\$15$ in total.", "pass"),
    ("The final answer is $\\boxed{255}$.", "none"),
]
# R1-style thinking: plain sentences with inline math, hedges, and equations to solve.
R1_STEPS = [
    ("Okay, so first I need 48 divided by 2, which is $48/2 = 24$.", "pass"),
    ("Wait, $48/2 = 26$? No, let me recompute.", "fail"),
    ("Let me set up the equation $2x + 3 = 7$, so $x = 2$.", "none"),  # an equation: never failed
    ("Expanding, $(x+1)^2 = x^2 + 2x + 1$.", "pass"),  # an identity holds for every x
    ("Hmm, $\\sqrt{2} = 1.41$ roughly.", "pass"),  # rounded to the places written
    ("Hmm, $\\sqrt{2} = 1.42$.", "fail"),
    ("So $\\pi \\approx 3.14$.", "none"),  # only equalities are claims
    ("Then $\\frac{1}{0} = 1$?", "none"),  # undefined: nothing to compare
]


@pytest.mark.parametrize(("step", "verdict"), QWEN_STEPS + R1_STEPS)
def test_model_notation(step: str, verdict: str) -> None:
    assert LatexChecker().check("", [], step).verdict == verdict


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 10**6), st.integers(1, 10**3), st.integers(-50, 50).filter(bool))
def test_true_fractions_pass_and_false_ones_fail(a: int, b: int, off: int) -> None:
    value = f"\\frac{{{a}}}{{{b}}}"
    assert LatexChecker().check("", [], f"$\\frac{{{a * 2}}}{{{b * 2}}} = {value}$").verdict == "pass"
    assert LatexChecker().check("", [], f"$\\frac{{{a * 2}}}{{{b * 2}}} + {off} = {value}$").verdict == "fail"


@pytest.mark.parametrize(
    "step",
    [
        "$10^{10^{10}} = 1$",  # refused before evaluating: the digit bound
        "$" + "{" * 200 + "1" + "}" * 200 + " = 1$",
        "$\\__import__ = 1$",
        "$" + "9" * 100_000 + " = 1$",
        "$x = 5$",
    ],
)
def test_adversarial_input_is_none(step: str) -> None:
    assert LatexChecker().check("", [], step).verdict == "none"


def test_the_pool_kills_a_check_past_its_timeout_and_goes_on() -> None:
    async def run() -> tuple[list[str], list[str], int]:
        pool = CheckPool(workers=1, timeout_s=1.0, run=hanging_check)
        try:
            killed = await pool.check("latex", "", [((), HANG)], "test")
            pool._timeout_s = 30.0  # a fresh process's first parse may be slow on a loaded machine
            after = await pool.check("latex", "", [((), "$3 \\times 85 = 265$"), ((), "$2+2=4$")], "test")
            return [c.verdict for c in killed], [c.verdict for c in after], pool.timeouts
        finally:
            await pool.close()

    killed, after, timeouts = asyncio.run(run())
    assert killed == ["none"] and timeouts == 1  # a timeout is no verdict, never a fail
    assert after == ["fail", "pass"]  # a fresh process took the killed one's place
