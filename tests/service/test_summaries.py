"""Summaries of the hidden reasoning: rule-based for the shipped task, written by a model for the
others, in the length asked for; a summary that repeats a hidden chain never goes out."""

from __future__ import annotations

import asyncio

import pytest

from app.config import SummaryStyle
from app.errors import EngineUnavailable
from app.formats.resolve import load_preset
from app.formats.spec import GeneratorFormat
from app.service.outcome import ChainRecord
from app.service.summaries import SummaryBrief, SummaryPrompts, SummaryWriter
from tests.fakes import FORMAT, PROBLEM, RIGHT, FakeGenerator

QWEN = load_preset("qwen2.5-math").generator
R1 = load_preset("r1").generator
assert QWEN is not None and R1 is not None
CHAIN = "We add 37 and 48, which gives 85.\n\nThen 85 times 3 is 255.\n\nFinally 255 - 12 = 243, so \\boxed{243}."
OWN_WORDS = "The sum is tripled and twelve is taken away, which leaves 243."


def record(text: str, steps: list[str]) -> ChainRecord:
    return ChainRecord(text, steps, [0.9] * len(steps), 0.9, None, "243", True, "stop", len(text))


WINNER = record(CHAIN, CHAIN.split("\n\n"))
BRIEF = SummaryBrief(PROBLEM, "243", WINNER, [WINNER, record("Some other chain.", ["Some other chain."])], 2, 0.9)


def write(
    model: FakeGenerator, style: SummaryStyle | None = "auto", fmt: GeneratorFormat = QWEN, brief: SummaryBrief = BRIEF
) -> tuple[str, list[str]]:
    sources: list[str] = []
    writer = SummaryWriter(fmt, model, fmt, SummaryPrompts(), sources.append)
    return asyncio.run(writer.write(brief, style, "r1")), sources


def test_a_model_writes_the_summary_from_the_winning_chains_steps() -> None:
    model = FakeGenerator([OWN_WORDS], context=4096)
    text, sources = write(model, "detailed")
    assert text == OWN_WORDS and sources == ["model"]
    request = model.requests[0]
    assert (request.n, request.temperature, request.max_tokens) == (1, 0.0, 320)
    assert (
        "step by step" in request.prompt and "Then 85 times 3 is 255." in request.prompt and PROBLEM in request.prompt
    )
    assert request.prompt.startswith("<|im_start|>system\n")  # the model's chat template


@pytest.mark.parametrize(("style", "budget"), [("concise", 64), ("auto", 160), ("detailed", 320)])
def test_the_length_follows_the_style(style: SummaryStyle, budget: int) -> None:
    model = FakeGenerator([OWN_WORDS], context=4096)
    write(model, style)
    assert model.requests[0].max_tokens == budget


def test_a_summarizer_that_echoes_the_chain_is_replaced() -> None:
    echo = FakeGenerator(["In short: " + CHAIN[:60] + " and so on."], context=4096)
    text, sources = write(echo)
    assert sources == ["fallback_leak"] and CHAIN[:20] not in text
    assert text == "Reasoned in 3 steps and reached the answer 243; the verifier's least confident step scored 0.90."


@pytest.mark.parametrize(
    ("model", "source"),
    [
        (FakeGenerator(["   "], context=4096), "fallback_empty"),
        (FakeGenerator(failure=EngineUnavailable("generator", "cannot reach it"), context=4096), "fallback_error"),
    ],
)
def test_without_a_usable_summary_a_structured_one_goes_out(model: FakeGenerator, source: str) -> None:
    text, sources = write(model)
    assert sources == [source] and text.startswith("Reasoned in 3 steps")


def test_a_chain_too_long_for_the_summarizer_is_not_sent_to_it() -> None:
    long = record("x" * 300, ["x" * 300])
    model = FakeGenerator([OWN_WORDS])  # a context of 256 tokens
    _, sources = write(model, brief=SummaryBrief(PROBLEM, "243", long, [long], 1, 1.0))
    assert sources == ["fallback_long"] and model.requests == []


def test_a_thinking_summarizer_shows_what_it_wrote_after_thinking() -> None:
    model = FakeGenerator([f"Let me condense this.\n</think>\n\n{OWN_WORDS}"], context=4096)
    text, sources = write(model, fmt=R1)
    assert text == OWN_WORDS and sources == ["model"]


def test_no_summary_is_written_unless_one_is_asked_for() -> None:
    model = FakeGenerator([OWN_WORDS], context=4096)
    assert write(model, None) == ("", []) and model.requests == []


def test_the_shipped_task_keeps_its_rule_based_paraphrase() -> None:
    arith = record(RIGHT, RIGHT.split("\n"))
    brief = SummaryBrief(PROBLEM, "243", arith, [arith], 16, 0.83)
    model = FakeGenerator([OWN_WORDS], context=4096)
    auto, sources = write(model, "auto", FORMAT, brief)
    concise, _ = write(model, "concise", FORMAT, brief)
    assert auto.startswith("Worked left to right from 37 in 3 operations") and sources == ["rule"]
    assert concise == "Verified 16 sampled solutions step by step; answer 243 (confidence 0.83)."
    assert model.requests == []  # no model was asked


def test_a_summary_cut_off_at_its_budget_is_replaced() -> None:
    cut = f"{OWN_WORDS} And then"
    text, sources = write(FakeGenerator([cut], cut_off=(cut,), context=4096))
    assert sources == ["fallback_cut"] and text.startswith("Reasoned in 3 steps")


def test_a_summary_that_takes_too_long_is_replaced_and_the_answer_goes_out() -> None:
    slow = FakeGenerator([OWN_WORDS], context=4096, delay=5.0)
    writer = SummaryWriter(QWEN, slow, QWEN, SummaryPrompts(timeout_s=0.05))
    text = asyncio.run(writer.write(BRIEF, "auto", "r1"))
    assert text.startswith("Reasoned in 3 steps") and len(slow.requests) == 1


def test_a_thinking_summarizer_is_asked_to_write_with_its_thinking_closed() -> None:
    model = FakeGenerator([OWN_WORDS], context=4096)
    text, _ = write(model, fmt=R1)
    assert text == OWN_WORDS
    # The budget goes to the summary, not to more thinking.
    assert model.requests[0].prompt.endswith("<think>\n\n</think>\n\n") and model.requests[0].templated


def test_the_summarizers_request_is_a_setting_filled_literally() -> None:
    model = FakeGenerator([OWN_WORDS], context=4096)
    prompts = SummaryPrompts(request="Q: {problem}\nWork: {solution}\nKeep {braces} as written.")
    writer = SummaryWriter(QWEN, model, QWEN, prompts)
    asyncio.run(writer.write(SummaryBrief("what is {x}?", "243", WINNER, [WINNER], 1, 1.0), "auto", "r1"))
    prompt = model.requests[0].prompt
    assert "Q: what is {x}?\nWork: We add 37 and 48" in prompt and "Keep {braces} as written." in prompt
