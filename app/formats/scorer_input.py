"""The text a reward model reads for one chain, as its format says: the problem's prompt, then
every step followed by the step tag (plain), or the same as the assistant's turn of the chat
template (Qwen2.5-Math-PRM)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.core.steps import format_scorer_input, without_step_tag
from app.formats.spec import ScorerFormat

ChatRenderer = Callable[[Sequence[tuple[str, str]]], str]  # (role, content) messages → text


def scorer_text(fmt: ScorerFormat, problem: str, steps: Sequence[str], chat: ChatRenderer) -> str:
    """Raises ValueError when the tag would appear where no step ends (the caller's input is wrong)."""
    tag = fmt.step_tag
    clean = without_step_tag(list(steps), tag)
    user = fmt.prompt.fill(problem)
    if fmt.input == "prompt":
        return format_scorer_input(user, clean, tag, fmt.step_joiner)
    for where, text in (("problem", user), ("system prompt", fmt.prompt.system or "")):
        if tag in text:
            raise ValueError(f"the step tag {tag!r} occurs in the {where}")
    messages = [("system", fmt.prompt.system)] if fmt.prompt.system is not None else []
    messages += [("user", user), ("assistant", format_scorer_input("", clean, tag, fmt.step_joiner))]
    return chat(messages)
