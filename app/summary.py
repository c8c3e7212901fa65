"""A short summary of a hidden chain, in the service's own words, never the chain itself.

For the shipped arithmetic task the summary is a paraphrase of the derivation rebuilt from the
parsed operations (so text the model wrote outside the step grammar can never leak through). For
any other task it states only the shape of the reasoning and its answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ARITH_STEP = re.compile(r"^(-?\d+)([+\-*])(\d+)=(-?\d+)$")
_VERBS = {"+": "add {b}", "-": "subtract {b}", "*": "multiply by {b}"}


def summarize_chain(task: str, steps: Sequence[str], answer: str | None, step_scores: Sequence[float]) -> str:
    if task == "arith":
        return _summarize_arith(steps, answer, step_scores)
    return _summarize_generic(steps, answer, step_scores)


def _summarize_arith(steps: Sequence[str], answer: str | None, step_scores: Sequence[float]) -> str:
    parsed = [m.groups() for s in steps if (m := _ARITH_STEP.match(s.replace(" ", "")))]
    if not parsed:
        return _summarize_generic(steps, answer, step_scores)
    start = parsed[0][0]
    moves = "; ".join(f"{_VERBS[op].format(b=b)} to get {c}" for _, op, b, c in parsed)
    weakest = min(step_scores) if step_scores else 0.0
    return (
        f"Worked left to right from {start} in {len(parsed)} operations: {moves}. "
        f"Final answer {answer if answer is not None else 'not reached'}; "
        f"the verifier's least confident step scored {weakest:.2f}."
    )


def _summarize_generic(steps: Sequence[str], answer: str | None, step_scores: Sequence[float]) -> str:
    weakest = min(step_scores) if step_scores else 0.0
    reached = f"reached the answer {answer}" if answer is not None else "did not reach a final answer"
    return f"Reasoned in {len(steps)} steps and {reached}; the verifier's least confident step scored {weakest:.2f}."
