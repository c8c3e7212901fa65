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
