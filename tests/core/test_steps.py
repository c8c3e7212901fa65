from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.steps import extract_answer, format_scorer_input, split_steps, without_step_tag
from lab.task import arith

# Step text as a model could write it: anything but the separator, stripped and non-empty.
step_text = st.text(st.characters(blacklist_characters="\n\r"), min_size=1).map(str.strip).filter(bool)


def test_split_steps_strips_and_drops_blank_lines() -> None:
    chain = "  37+48=85 \n\n85*3=255\n   \nA:255\n"
    assert split_steps(chain, "\n") == ["37+48=85", "85*3=255", "A:255"]


def test_split_steps_with_a_multi_character_separator() -> None:
    assert split_steps("Step one.\n\nStep two\nstill two.\n\n", "\n\n") == ["Step one.", "Step two\nstill two."]


def test_split_steps_of_an_empty_chain() -> None:
    assert split_steps("", "\n") == []
    assert split_steps("\n \n", "\n") == []


@given(st.lists(step_text, max_size=12))
def test_split_then_join_round_trips(steps: list[str]) -> None:
    assert split_steps("\n".join(steps), "\n") == steps


@given(st.text(), st.sampled_from(["\n", "\n\n", "ки", ";"]))
def test_split_steps_yields_stripped_non_empty_steps_without_the_separator(chain: str, separator: str) -> None:
    for step in split_steps(chain, separator):
        assert step
        assert step == step.strip()
        assert separator not in step


@given(st.integers(min_value=0, max_value=10_000))
def test_reference_chains_of_the_arith_task_split_and_answer(seed: int) -> None:
    problem = arith.random_problem(random.Random(seed))
    steps = split_steps(problem.reference_chain(), arith.STEP_SEPARATOR)
    assert steps == problem.reference_steps()
    assert extract_answer(steps, arith.ANSWER_PREFIX) == str(problem.answer)


def test_extract_answer_with_a_prefix() -> None:
    assert extract_answer(["37+48=85", "A:85"], "A:") == "85"
    assert extract_answer(["A: 243 "], "A:") == "243"


def test_extract_answer_with_a_prefix_needs_it_on_the_last_step() -> None:
    assert extract_answer(["A:85", "85*3=255"], "A:") is None
    assert extract_answer(["37+48=85"], "A:") is None
    assert extract_answer([], "A:") is None


def test_an_empty_answer_is_no_answer() -> None:
    assert extract_answer(["1+1=2", "A:  "], "A:") is None
    assert extract_answer(["so \\boxed{ }"], None) is None


def test_extract_boxed_answer_with_nested_braces() -> None:
    steps = ["We simplify.", "The answer is $\\boxed{\\frac{1}{2}}$."]
    assert extract_answer(steps, None) == "\\frac{1}{2}"


def test_extract_boxed_answer_takes_the_last_box_of_the_latest_step_with_one() -> None:
    steps = ["First \\boxed{1}.", "Then \\boxed{2} or rather \\boxed{3}.", "I hope it is correct."]
    assert extract_answer(steps, None) == "3"


def test_extract_boxed_answer_skips_an_unclosed_box() -> None:
    assert extract_answer(["\\boxed{7} and then \\boxed{8"], None) == "7"
    assert extract_answer(["\\boxed{8"], None) is None


def test_no_box_means_no_answer() -> None:
    assert extract_answer(["A:3"], None) is None
    assert extract_answer([], None) is None


@given(
    step_text.filter(lambda s: "{" not in s and "}" not in s),
    step_text,
    step_text.filter(lambda s: "\\boxed{" not in s),
)
def test_extract_boxed_finds_any_brace_free_content(content: str, before: str, after: str) -> None:
    steps = [before, f"so \\boxed{{{content}}} is it", after]
    assert extract_answer(steps, None) == content.strip()


def test_format_scorer_input_is_math_shepherd_layout() -> None:
    text = format_scorer_input("Q:1+2*3\n", ["1+2=3", "3*3=9", "A:9"], " ки", "\n")
    assert text == "Q:1+2*3\n1+2=3 ки\n3*3=9 ки\nA:9 ки\n"


def test_format_scorer_input_with_no_steps_is_the_prompt() -> None:
    assert format_scorer_input("Q:1+2\n", [], " ки", "\n") == "Q:1+2\n"


@pytest.mark.parametrize(
    ("prompt", "steps", "tag", "separator"),
    [
        ("Q: what is ки?\n", ["1+1=2"], "ки", "\n"),  # in the prompt
        ("Q:1+1\n", ["1+1=2", "A:2 ки"], "ки", "\n"),  # in a step
        ("Q:1+1\n", ["1+1=2"], "", "\n"),  # empty: it would occur everywhere
        ("Q:1+1\n", ["1+1=2", "A:2"], "#", "#\n"),  # in the separator
        ("Q:1+1\n", ["1+1=2k", "A:2"], "kk", "\n"),  # across a step's end: "2k" + "kk"
    ],
)
def test_format_scorer_input_rejects_a_tag_that_would_be_scored_elsewhere(
    prompt: str, steps: list[str], tag: str, separator: str
) -> None:
    with pytest.raises(ValueError, match="step tag"):
        format_scorer_input(prompt, steps, tag, separator)


@given(st.text(st.characters(blacklist_characters="\x1f")), st.lists(step_text.map(lambda s: s.replace("\x1f", ""))))
def test_the_tag_occurs_once_per_step(prompt: str, steps: list[str]) -> None:
    text = format_scorer_input(prompt, steps, "\x1f", "\n")
    assert text.count("\x1f") == len(steps)
    assert text.startswith(prompt)


def test_without_step_tag_makes_any_sampled_chain_scorable() -> None:
    steps = without_step_tag(["24*8=18#A:18", "#", "1+1=2"], "#")
    assert steps == ["24*8=18A:18", "", "1+1=2"]
    text = format_scorer_input("Q:24*8\n", steps, "#", "\n")
    assert text.count("#") == 3
