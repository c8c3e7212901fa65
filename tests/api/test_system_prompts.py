"""System prompts for models prompted through a chat template: the format's, replaced by the
settings', replaced by the request's (`system` on /solve, system and developer messages on chat,
`instructions` on responses). A plain-prompt model (the shipped arithmetic one) has no system turn."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.engines.container import Engines
from app.formats.resolve import load_preset
from tests.fakes import PROBLEM, ArithmeticScorer, FakeApp, FakeGenerator, fake_app

QWEN = load_preset("qwen2.5-math").generator
assert QWEN is not None
FORMAT_SYSTEM = QWEN.prompt.system


# Budgets small enough for the fakes' one-token-a-character counts of a chat prompt.
SMALL = {
    "default_max_tokens": 40,
    "reasoning_effort_max_tokens": dict.fromkeys(("minimal", "low", "medium", "high"), 40),
}


@contextmanager
def chat_app(**settings: object) -> Iterator[tuple[FakeApp, FakeGenerator]]:
    gen = FakeGenerator()
    with fake_app(Engines(gen, ArithmeticScorer(), None, QWEN), **(SMALL | settings)) as app:
        yield app, gen


def system_turn(prompt: str) -> str | None:
    head = "<|im_start|>system\n"
    return prompt[len(head) : prompt.index("<|im_end|>")] if prompt.startswith(head) else None


@pytest.mark.parametrize(
    ("settings", "body", "system"),
    [
        ({}, {}, FORMAT_SYSTEM),
        ({"system_prompt": "Answer as a teacher."}, {}, "Answer as a teacher."),
        ({"system_prompt": "Answer as a teacher."}, {"system": "Be terse."}, "Be terse."),
        ({}, {"system": ""}, None),
    ],
)
def test_the_request_replaces_the_settings_which_replace_the_format(
    settings: dict[str, object], body: dict[str, object], system: str | None
) -> None:
    with chat_app(**settings) as (app, gen):
        r = app.client.post("/solve", json={"problem": PROBLEM, "n": 2} | body)
    assert r.status_code == 200, r.text
    assert system_turn(gen.requests[0].prompt) == system
    assert gen.requests[0].prompt.endswith(f"<|im_start|>user\n{PROBLEM}<|im_end|>\n<|im_start|>assistant\n")


def test_openai_system_and_developer_messages_are_the_system_prompt() -> None:
    messages = [
        {"role": "system", "content": "You are careful."},
        {"role": "developer", "content": [{"type": "text", "text": "Show the arithmetic."}]},
        {"role": "user", "content": PROBLEM},
    ]
    with chat_app() as (app, gen):
        chat = app.client.post("/v1/chat/completions", json={"model": "arith-generator", "messages": messages})
        response = app.client.post(
            "/v1/responses", json={"model": "arith-generator", "input": PROBLEM, "instructions": "Be brief."}
        )
        listed = app.client.post("/v1/responses", json={"model": "arith-generator", "input": messages})
    assert chat.status_code == response.status_code == listed.status_code == 200
    prompts = [r.prompt for r in gen.requests]
    assert system_turn(prompts[0]) == "You are careful.\n\nShow the arithmetic."
    assert system_turn(prompts[1]) == "Be brief." and system_turn(prompts[2]) == system_turn(prompts[0])


def test_a_plain_prompt_model_has_no_system_turn() -> None:
    gen = FakeGenerator()
    with fake_app(Engines(gen, ArithmeticScorer(), None, load_preset("arith").generator)) as app:  # type: ignore[arg-type]
        r = app.client.post("/solve", json={"problem": PROBLEM, "n": 2, "system": "Ignored: no system turn."})
    assert r.status_code == 200 and gen.requests[0].prompt == f"Q:{PROBLEM}\n"
