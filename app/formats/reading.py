"""Reading a sampled chain as its generator's format says: its steps (from the thinking, for a
thinking model), capped in number, and its final answer."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.steps import cap_steps, extract_answer, split_steps, split_thinking
from app.formats.spec import GeneratorFormat


@dataclass(frozen=True, slots=True)
class ReadChain:
    steps: list[str]  # what the reward model scores
    answer: str | None  # what the chain votes for; None when it reached none


def read_chain(text: str, fmt: GeneratorFormat) -> ReadChain:
    sep = fmt.step_separator
    if fmt.thinking is not None:
        thinking, visible = split_thinking(text, fmt.thinking.open, fmt.thinking.close)
        # The answer is in what the model shows after thinking; a chain still thinking has none.
        answer_steps = split_steps(visible, sep) if visible is not None else []
        steps = split_steps(thinking, sep)
    else:
        steps = answer_steps = split_steps(text, sep)
    answer = extract_answer(answer_steps, fmt.answer_prefix, fmt.max_answer_chars)
    return ReadChain(cap_steps(steps, fmt.max_steps, sep), answer)


def settled_steps(text: str, fmt: GeneratorFormat) -> list[str]:
    """The steps of a chain still decoding that no later token can change: those a separator (or,
    for a thinking model, the end of the thinking) has closed. The step still being written waits.
    For a chain that then finishes with no more than `max_steps` steps, these are the first steps
    `read_chain` gives it; past the cap, merging may still change them."""
    sep = fmt.step_separator
    if fmt.thinking is not None:
        thinking, visible = split_thinking(text, fmt.thinking.open, fmt.thinking.close)
        if visible is not None:  # the thinking is over: every one of its steps is settled
            return cap_steps(split_steps(thinking, sep), fmt.max_steps, sep)
    cut = text.rfind(sep)  # in the raw text: a separator just decoded must count at once
    if cut < 0:
        return []
    head = text[:cut]
    if fmt.thinking is not None:
        head, _ = split_thinking(head, fmt.thinking.open, fmt.thinking.close)  # the open marker off
    return cap_steps(split_steps(head, sep), fmt.max_steps, sep)


def closes_a_step(text: str, new_from: int, fmt: GeneratorFormat) -> bool:
    """Whether the text from `new_from` on (just decoded) completes a separator or the end of the
    thinking: only then can the settled steps have changed, so a chain of thousands of small
    deltas is re-read once per step, not once per delta."""
    markers = [fmt.step_separator] + ([fmt.thinking.close] if fmt.thinking is not None else [])
    return any(text.find(m, max(0, new_from - len(m) + 1)) >= 0 for m in markers)
