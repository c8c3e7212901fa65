"""A short summary of a hidden chain, in the service's own words, never the chain itself.

For the shipped arithmetic task the summary is a paraphrase of the derivation rebuilt from the
parsed operations (so text the model wrote outside the step grammar can never leak through). For
any other task it states only the shape of the reasoning and its answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.formats.arith import read_operations

_VERBS = {"+": "add {b}", "-": "subtract {b}", "*": "multiply by {b}"}


def summarize_chain(task: str, steps: Sequence[str], answer: str | None, step_scores: Sequence[float]) -> str:
    """`task` is the one whose grammar the chain is in: "arith" paraphrases the shipped task's
    operations; any other task gets the structured summary."""
    if task == "arith":
        return _summarize_arith(steps, answer, step_scores)
    return _summarize_generic(steps, answer, step_scores)


def _summarize_arith(steps: Sequence[str], answer: str | None, step_scores: Sequence[float]) -> str:
    parsed = [op for op in read_operations([s.replace(" ", "") for s in steps]) if op is not None]
    if not parsed:
        return _summarize_generic(steps, answer, step_scores)
    moves = "; ".join(f"{_VERBS[op.op].format(b=op.right)} to get {op.result}" for op in parsed)
    weakest = min(step_scores) if step_scores else 0.0
    return (
        f"Worked left to right from {parsed[0].left} in {len(parsed)} operations: {moves}. "
        f"Final answer {answer if answer is not None else 'not reached'}; "
        f"the verifier's least confident step scored {weakest:.2f}."
    )


def _summarize_generic(steps: Sequence[str], answer: str | None, step_scores: Sequence[float]) -> str:
    weakest = min(step_scores) if step_scores else 0.0
    reached = f"reached the answer {answer}" if answer is not None else "did not reach a final answer"
    return f"Reasoned in {len(steps)} steps and {reached}; the verifier's least confident step scored {weakest:.2f}."
