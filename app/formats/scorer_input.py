"""The text a reward model reads for one chain, as its format says: the problem's prompt, then
every step followed by the step tag (plain), or the same as the assistant's turn of the chat
template (Qwen2.5-Math-PRM)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.core.steps import format_scorer_input, without_step_tag
from app.formats.arith import written_out
from app.formats.spec import ScorerFormat

ChatRenderer = Callable[[Sequence[tuple[str, str]]], str]  # (role, content) messages → text


def scorer_text(fmt: ScorerFormat, problem: str, steps: Sequence[str], chat: ChatRenderer) -> str:
    """Raises ValueError when the tag would appear where no step ends (the caller's input is wrong)."""
    tag = fmt.step_tag
    clean = without_step_tag(written_out(steps) if fmt.full_steps == "arith" else list(steps), tag)
    user = fmt.prompt.fill(problem)
    if fmt.input == "prompt":
        return format_scorer_input(user, clean, tag, fmt.step_joiner)
    for where, text in (("problem", user), ("system prompt", fmt.prompt.system or "")):
        if tag in text:
            raise ValueError(f"the step tag {tag!r} occurs in the {where}")
    messages = [("system", fmt.prompt.system)] if fmt.prompt.system is not None else []
    messages += [("user", user), ("assistant", format_scorer_input("", clean, tag, fmt.step_joiner))]
    return chat(messages)


@dataclass
class EncodedChains:
    """The chains a reward model can read, as token ids, and those it cannot."""

    jobs: list[tuple[int, list[int], int]] = field(default_factory=list)  # chain index, token ids, steps
    unread: list[int] = field(default_factory=list)


def encode_chains(
    fmt: ScorerFormat,
    problem: str,
    chains: Sequence[Sequence[str]],
    chat: ChatRenderer,
    encode: Callable[[str], list[int]],
    tag_id: int,
    max_len: int,
) -> EncodedChains:
    """Every chain with steps as the reward model's input. A chain it cannot read is `unread`, not
    an error: too long, or text the model wrote that puts a tag where no step ends (its scores
    would belong to no step). Raises ValueError when the problem itself cannot be read."""
    scorer_text(fmt, problem, [], chat)  # the problem's own part: a fault here is the request's
    encoded = EncodedChains()
    for i, steps in enumerate(chains):
        if not steps:
            continue
        try:
            ids = encode(scorer_text(fmt, problem, steps, chat))
        except ValueError:
            encoded.unread.append(i)
            continue
        if len(ids) > max_len or ids.count(tag_id) != len(steps):
            encoded.unread.append(i)
        else:
            encoded.jobs.append((i, ids, len(steps)))
    return encoded
