"""The shapes of chains that real models write: thinking in tags, hundreds of fragments, runaway
answers. Pure functions, tested directly and with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.steps import cap_steps, extract_answer, split_thinking
from app.formats.reading import read_chain
from app.formats.resolve import load_preset
from app.formats.spec import GeneratorFormat

R1 = load_preset("r1").generator
QWEN = load_preset("qwen2.5-math").generator
ARITH = load_preset("arith").generator
assert R1 is not None and QWEN is not None and ARITH is not None

steps_text = st.text(alphabet="ab \n1=+", min_size=1, max_size=12)


def test_thinking_and_what_follows_are_apart() -> None:
    assert split_thinking("<think>\nA.\n\nB.\n</think>\n\nSo \\boxed{2}.", "<think>", "</think>") == (
        "A.\n\nB.",
        "So \\boxed{2}.",
    )
    # The open marker was the prompt's (R1's templates end with it): the output starts thinking.
    assert split_thinking("A.</think>B", "<think>", "</think>") == ("A.", "B")
    assert split_thinking("<think>still going", "<think>", "</think>") == ("still going", None)


@given(thinking=st.text(alphabet="ab \n", max_size=30), visible=st.text(alphabet="ab \n", max_size=30))
def test_split_thinking_gives_back_both_parts(thinking: str, visible: str) -> None:
    got = split_thinking(f"<think>{thinking}</think>{visible}", "<think>", "</think>")
    assert got == (thinking.strip(), visible.strip())


@given(steps=st.lists(steps_text, max_size=40), max_steps=st.integers(1, 10))
def test_capped_steps_keep_the_text_and_its_order(steps: list[str], max_steps: int) -> None:
    capped = cap_steps(steps, max_steps, "|")
    assert len(capped) == min(len(steps), max_steps)
    assert "|".join(capped) == "|".join(steps)


def test_the_shortest_neighbours_are_merged_first() -> None:
    assert cap_steps(["long step one", "a", "b", "long step two"], 3, " ") == ["long step one", "a b", "long step two"]


@given(answer=st.text(alphabet="0123456789+-x", min_size=1, max_size=40), limit=st.integers(1, 40))
def test_an_answer_longer_than_the_limit_is_no_answer(answer: str, limit: int) -> None:
    got = extract_answer([f"so \\boxed{{{answer}}}"], None, max_chars=limit)
    assert got == (answer if len(answer) <= limit else None)


def test_a_thinking_model_answers_after_it_thinks() -> None:
    chain = "Let me see.\n\nFirst 2+2 is 4, maybe \\boxed{5}?\n\nNo: it is 4.\n</think>\n\nThe answer is \\boxed{4}."
    read = read_chain(chain, R1)
    assert read.answer == "4"  # the box in the thinking is not the answer
    assert read.steps == ["Let me see.", "First 2+2 is 4, maybe \\boxed{5}?", "No: it is 4."]
    assert read_chain("Let me see.\n\nStill thinking", R1).answer is None


def test_hundreds_of_fragments_become_the_formats_most() -> None:
    chain = "\n\n".join(f"fragment {i}" for i in range(300)) + "\n\n\\boxed{7}"
    read = read_chain(chain, QWEN)
    assert len(read.steps) == QWEN.max_steps and read.answer == "7"


@pytest.mark.parametrize("fmt", [ARITH, QWEN, R1])
@given(chain=st.text(alphabet="ab\n{}\\boxed<think>/A:0123", max_size=200))
def test_any_chain_reads_within_the_formats_limits(fmt: GeneratorFormat, chain: str) -> None:
    read = read_chain(chain, fmt)
    assert len(read.steps) <= fmt.max_steps and all(step.strip() for step in read.steps)
    assert read.answer is None or 0 < len(read.answer) <= fmt.max_answer_chars
