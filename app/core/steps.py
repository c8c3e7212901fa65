"""Steps of a generated chain: splitting, the final answer, and the PRM's input text."""

from __future__ import annotations

_BOXED = "\\boxed{"


def split_steps(chain: str, separator: str) -> list[str]:
    """The chain's steps, stripped; blank steps are dropped because a PRM cannot score them."""
    return [step for part in chain.split(separator) if (step := part.strip())]


def extract_answer(steps: list[str], answer_prefix: str | None, max_chars: int | None = None) -> str | None:
    """The chain's final answer, or None when it gives none.

    With a prefix (the shipped task's ``A:``) only the last step may carry the answer: a chain
    that kept going after its answer line did not commit to it. Without one, the answer is the
    last ``\\boxed{...}`` of the latest step that has one, as MATH-style models write it; a
    closing remark after the boxed line must not lose the answer. An answer longer than
    `max_chars` is no answer: a runaway box is not something to vote on.
    """
    answer = _prefixed(steps, answer_prefix) if answer_prefix is not None else _boxed(steps)
    if answer is not None and max_chars is not None and len(answer) > max_chars:
        return None
    return answer


def _prefixed(steps: list[str], prefix: str) -> str | None:
    if steps and steps[-1].startswith(prefix):
        return steps[-1][len(prefix) :].strip() or None
    return None


def _boxed(steps: list[str]) -> str | None:
    for step in reversed(steps):
        boxed = _last_boxed(step)
        if boxed is not None:
            return boxed
    return None


def _last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{...}`` whose braces balance, stripped; None if none."""
    start = text.rfind(_BOXED)
    while start != -1:
        content = _balanced(text, start + len(_BOXED))
        if content is not None and content.strip():
            return content.strip()
        start = text.rfind(_BOXED, 0, start)
    return None


def _balanced(text: str, begin: int) -> str | None:
    """The text from `begin` up to the brace closing the one just before it; None if unclosed."""
    depth = 1
    for i in range(begin, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[begin:i]
    return None


def format_scorer_input(prompt: str, steps: list[str], step_tag: str, separator: str) -> str:
    """The Math-Shepherd PRM input: every step followed by the step tag, then the separator.

    The PRM is read at each occurrence of the tag, so the tag must occur exactly once per step,
    right after it; a tag anywhere else would be scored as a step that is not there.
    """
    if not step_tag:
        raise ValueError("the step tag must not be empty")
    if step_tag in prompt:
        raise ValueError(f"the step tag {step_tag!r} occurs in the prompt")
    for i, step in enumerate(steps):
        if step_tag in step:
            raise ValueError(f"the step tag {step_tag!r} occurs in step {i}")
    text, expected = prompt, []
    for step in steps:
        text += step
        expected.append(len(text))
        text += step_tag + separator
    # The tag can still form across a boundary (a step's end plus the tag's start, or the
    # separator), which the checks above cannot see.
    if _occurrences(text, step_tag) != expected:
        raise ValueError(f"the step tag {step_tag!r} occurs across a step boundary or in the separator")
    return text


def _occurrences(text: str, sub: str) -> list[int]:
    """Start of every occurrence of `sub` in `text`, overlapping ones included."""
    found, i = [], text.find(sub)
    while i != -1:
        found.append(i)
        i = text.find(sub, i + 1)
    return found


def without_step_tag(steps: list[str], step_tag: str) -> list[str]:
    """The steps with any occurrence of the step tag removed, ready for `format_scorer_input`.

    A sampled chain can contain the PRM's tag (a generator assigns every token some probability);
    left in, it would be scored as an extra step. Removing it scores the step the model meant.
    """
    return [_without(step, step_tag) for step in steps]


def _without(text: str, tag: str) -> str:
    # Removing one occurrence can join two halves into another ("<extra_<extra_0>0>").
    while tag in text:
        text = text.replace(tag, "")
    return text


def split_thinking(text: str, open_tag: str, close_tag: str) -> tuple[str, str | None]:
    """A thinking model's chain as (thinking, visible): the text before the close marker, and what
    follows it. `visible` is None when the thinking never closed (the budget ran out while the
    model was still thinking). The open marker may be the prompt's last words (R1's chat templates
    write it) or the output's first ones."""
    thinking, closed, visible = text.partition(close_tag)
    thinking = thinking.strip()
    if thinking.startswith(open_tag):
        thinking = thinking[len(open_tag) :].strip()
    return thinking, visible.strip() if closed else None


def cap_steps(steps: list[str], max_steps: int, separator: str) -> list[str]:
    """At most `max_steps` steps: the shortest adjacent pair is merged (joined by `separator`)
    until they fit, so a chain split into hundreds of fragments keeps its text and its order."""
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    capped = list(steps)
    while len(capped) > max_steps:
        i = min(range(len(capped) - 1), key=lambda k: (len(capped[k]) + len(capped[k + 1]), k))
        capped[i : i + 2] = [capped[i] + separator + capped[i + 1]]
    return capped
