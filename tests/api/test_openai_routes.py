"""The OpenAI-compatible routes on fake engines: how a chat completion or a response is translated
into the pipeline's parameters (effort → chains, token limits → each chain's share) and how the
outcome comes back in OpenAI's shapes. (The official SDK drives them on real engines in tests/e2e.)"""

from __future__ import annotations

import pytest

from tests.fakes import PROBLEM, RIGHT, UNFINISHED, WRONG, FakeApp, FakeGenerator, fake_app, fake_engines

MODEL = "arith-generator"


def chat(**extra: object) -> dict[str, object]:
    return {"model": MODEL, "messages": [{"role": "user", "content": PROBLEM}]} | extra


def test_models_lists_the_served_name() -> None:
    with fake_app(served_model_name="bon-arith") as app:
        assert [m["id"] for m in app.client.get("/v1/models").json()["data"]] == ["bon-arith"]
        assert app.client.post("/v1/chat/completions", json=chat()).status_code == 404
        assert app.client.post("/v1/chat/completions", json=chat(model="bon-arith")).status_code == 200


def test_the_v1_routes_answer_http_errors_in_openais_shape(fake: FakeApp) -> None:
    r = fake.client.post("/v1/models")
    assert r.status_code == 405 and r.json()["error"]["type"] == "invalid_request_error"
    r = fake.client.post("/v1/chat/completions", content=b"model=x", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"


def test_a_chat_completion_counts_the_hidden_chains_as_reasoning_tokens(fake: FakeApp) -> None:
    r = fake.client.post("/v1/chat/completions", json=chat(reasoning_effort="low", seed=3))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["object"] == "chat.completion" and data["id"] == f"chatcmpl-{r.headers['x-request-id']}"
    choice = data["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": "243", "refusal": None}
    assert choice["finish_reason"] == "stop"
    reasoning = 3 * len(RIGHT) + len(WRONG)  # low effort: 4 chains
    assert data["usage"] == {
        "prompt_tokens": len(f"Q:{PROBLEM}\n") + 1,
        "completion_tokens": reasoning,
        "total_tokens": len(f"Q:{PROBLEM}\n") + 1 + reasoning,
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }
    verification = data["verification"]
    assert verification["n"] == 4 and verification["reasoning_effort"] == "low"
    assert "243" in verification["summary"] and verification["clusters"][0]["answer"] == "243"
    assert RIGHT not in r.text


@pytest.mark.parametrize(
    ("extra", "n", "per_chain"),
    [
        ({}, 16, 160),  # the default effort: medium
        ({"reasoning_effort": "minimal"}, 1, 160),
        ({"reasoning_effort": "high", "max_completion_tokens": 6400}, 64, 100),
        ({"reasoning_effort": "low", "max_tokens": 200}, 4, 50),
        ({"reasoning_effort": "low", "max_completion_tokens": 10_000}, 4, 160),
    ],
)
def test_effort_and_token_limits_become_chains_and_each_chains_budget(
    extra: dict[str, object], n: int, per_chain: int
) -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen)) as app:
        assert app.client.post("/v1/chat/completions", json=chat(**extra)).status_code == 200
    assert (gen.requests[0].n, gen.requests[0].max_tokens) == (n, per_chain)


def test_the_adaptive_strategy_spends_max_completion_tokens_on_all_chains_together() -> None:
    """Fixed: 64 chains cannot share 80 tokens (refused); adaptive: the search stops when they are
    spent, over by at most one delta (4 tokens) per running chain and the one that crossed."""
    body = chat(reasoning_effort="high", max_completion_tokens=80)
    with fake_app() as app:
        assert app.client.post("/v1/chat/completions", json=body).status_code == 400
    gen = FakeGenerator([UNFINISHED], delay=0.05)  # chains that never vote: only the budget stops them
    with fake_app(fake_engines(gen), openai_strategy="adaptive") as app:
        r = app.client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    assert 80 <= r.json()["usage"]["completion_tokens"] <= 80 + 4 * (4 + 1)
    assert (gen.requests[0].n, gen.requests[0].max_tokens) == (64, 80)  # at most 64 chains, none over 80


def test_the_effort_table_comes_from_the_settings() -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen), reasoning_effort_n={"minimal": 1, "low": 2, "medium": 3, "high": 5}) as app:
        app.client.post("/v1/responses", json={"model": MODEL, "input": PROBLEM})
    assert gen.requests[0].n == 3


def test_the_last_user_message_is_the_problem(fake: FakeApp) -> None:
    messages = [
        {"role": "system", "content": "Solve."},
        {"role": "user", "content": "(1+2)*3"},
        {"role": "assistant", "content": "9"},
        {"role": "user", "content": [{"type": "text", "text": "((37+48)"}, {"type": "text", "text": "*3)-12"}]},
    ]
    fake.client.post("/v1/chat/completions", json={"model": MODEL, "messages": messages})
    assert fake.engines.generator.requests[-1].prompt == f"Q:{PROBLEM}\n"  # type: ignore[attr-defined]


def test_no_answer_is_a_length_finish_and_an_incomplete_response() -> None:
    with fake_app(fake_engines(FakeGenerator([UNFINISHED]))) as app:
        choice = app.client.post("/v1/chat/completions", json=chat()).json()["choices"][0]
        response = app.client.post("/v1/responses", json={"model": MODEL, "input": PROBLEM}).json()
    assert choice["finish_reason"] == "length" and choice["message"]["content"] is None
    assert response["status"] == "incomplete" and response["output"][1]["content"][0]["text"] == ""


@pytest.mark.parametrize(
    ("style", "texts"),
    [(None, []), ("auto", ["Worked left to right"]), ("detailed", ["Worked left"]), ("concise", ["Verified 4"])],
)
def test_a_response_carries_the_summary_asked_for(fake: FakeApp, style: str | None, texts: list[str]) -> None:
    body = {"model": MODEL, "input": [{"role": "user", "content": PROBLEM}], "reasoning": {"effort": "low"}}
    if style is not None:
        body["reasoning"] = {"effort": "low", "summary": style}
    r = fake.client.post("/v1/responses", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    reasoning, message = data["output"]
    assert reasoning["type"] == "reasoning" and len(reasoning["summary"]) == len(texts)
    for got, start in zip(reasoning["summary"], texts, strict=True):
        assert got["text"].startswith(start)
    assert message["content"][0]["text"] == "243" and data["status"] == "completed"
    assert data["reasoning"] == {"effort": "low", "summary": style}
    usage = data["usage"]
    assert usage["output_tokens"] == usage["output_tokens_details"]["reasoning_tokens"] == 3 * len(RIGHT) + len(WRONG)


@pytest.mark.parametrize(
    ("route", "body", "param", "needle"),
    [
        ("/v1/chat/completions", chat(messages=[{"role": "user", "content": "  "}]), "messages", "empty"),
        ("/v1/chat/completions", chat(messages=[{"role": "user", "content": "1" * 4001}]), "messages", "at most"),
        ("/v1/chat/completions", chat(temperature=0, reasoning_effort="low"), "temperature", "greedily"),
        ("/v1/responses", {"model": MODEL, "input": " "}, "input", "empty"),
        ("/v1/responses", {"model": MODEL, "input": PROBLEM, "max_output_tokens": 5}, "max_output_tokens", "at least"),
    ],
)
def test_what_the_pipeline_refuses_is_a_400_naming_the_parameter(
    fake: FakeApp, route: str, body: dict[str, object], param: str, needle: str
) -> None:
    r = fake.client.post(route, json=body)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and needle in error["message"]


@pytest.mark.parametrize(
    ("extra", "param"),
    [({}, "reasoning_effort"), ({"max_completion_tokens": 1200}, "max_completion_tokens")],
)
def test_a_budget_beyond_the_context_names_what_set_it(extra: dict[str, object], param: str) -> None:
    tables = {"minimal": 400, "low": 400, "medium": 400, "high": 400}  # above the model's context of 256
    with fake_app(reasoning_effort_max_tokens=tables) as app:
        r = app.client.post("/v1/chat/completions", json=chat(reasoning_effort="low", **extra))
    assert r.status_code == 400 and r.json()["error"]["param"] == param and "context" in r.json()["error"]["message"]
