"""POST /solve on fake engines: the translation from the wire to the pipeline and back, and every
error shape the route can answer with. (The real engines answer the same route in tests/e2e.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.errors import EngineError, EngineUnavailable
from tests.fakes import PROBLEM, RIGHT, UNFINISHED, WRONG, FakeApp, FakeGenerator, fake_app, fake_engines

LONG_PROBLEM = "+".join(["12"] * 60)  # ~180 prompt tokens: more than the context leaves

BAD_BODIES: list[tuple[str, object, int, str, str]] = [
    ("empty problem", {"problem": ""}, 422, "invalid_request", "problem"),
    ("whitespace problem", {"problem": "   \n\t "}, 422, "invalid_request", "empty"),
    ("missing problem", {"n": 4}, 422, "invalid_request", "problem"),
    ("problem above the schema's length", {"problem": "1" * 4001}, 422, "invalid_request", "problem"),
    ("n zero", {"problem": "1+2", "n": 0}, 422, "invalid_request", "n"),
    ("n above server max", {"problem": "1+2", "n": 65}, 422, "invalid_request", "limit of 64"),
    ("n not a number", {"problem": "1+2", "n": "many"}, 422, "invalid_request", "n"),
    ("unknown aggregation", {"problem": "1+2", "aggregation": "median"}, 422, "invalid_request", "aggregation"),
    ("unknown selection", {"problem": "1+2", "selection": "best"}, 422, "invalid_request", "selection"),
    ("temperature too high", {"problem": "1+2", "temperature": 5}, 422, "invalid_request", "temperature"),
    ("temperature negative", {"problem": "1+2", "temperature": -0.1}, 422, "invalid_request", "temperature"),
    ("greedy with n > 1", {"problem": "1+2", "temperature": 0, "n": 4}, 422, "invalid_request", "greedily"),
    ("max_tokens zero", {"problem": "1+2", "max_tokens": 0}, 422, "invalid_request", "max_tokens"),
    ("max_tokens beyond context", {"problem": "1+2", "max_tokens": 5000}, 422, "invalid_request", "context"),
    ("problem too long", {"problem": LONG_PROBLEM}, 422, "problem_too_long", "tokens"),
    ("unknown field", {"problem": "1+2", "temprature": 1}, 422, "invalid_request", "temprature"),
    ("body not an object", [1, 2], 422, "invalid_request", "body"),
]


def error_of(body: dict[str, object], code: str, needle: str) -> dict[str, object]:
    error = body["error"]
    assert isinstance(error, dict) and set(error) <= {"code", "message", "request_id", "details"}
    assert error["code"] == code and needle in error["message"], error
    assert error["request_id"]
    return error


def test_a_solved_problem_has_the_public_fields_only() -> None:
    with fake_app(calibration="none") as fake:  # uncalibrated: the confidence is the vote share
        r = fake.client.post("/solve", json={"problem": PROBLEM, "n": 6, "seed": 7})
    assert r.status_code == 200, r.text
    data = r.json()
    assert set(data) == {
        "request_id", "answer", "summary", "confidence", "calibrated", "verified", "n", "selection",
        "aggregation", "clusters", "step_scores", "step_checks", "checks", "chain_counts", "usage", "timings",
        "search", "tools", "context",
    }  # fmt: skip
    assert data["calibrated"] is False and data["verified"] is True  # 0.97 ≥ the default threshold, 0.9
    assert data["search"] is None  # the fixed strategy without a budget: all n chains, no controller
    assert data["chain_counts"] == {"sampled": 6, "voted": 6, "truncated": 0, "unscored": 0}
    assert data["answer"] == "243" and data["n"] == 6 and data["request_id"] == r.headers["x-request-id"]
    assert data["clusters"] == [
        {"answer": "243", "count": 4, "weight": pytest.approx(3.6), "vetoed": 0},
        {"answer": "233", "count": 2, "weight": pytest.approx(0.0), "vetoed": 2},  # 85*3=245: vetoed
    ]
    assert data["step_scores"] == [0.95, 0.95, 0.95, 0.9] and data["confidence"] == pytest.approx(1.0)
    assert data["step_checks"] == ["pass", "pass", "pass", "none"]  # the answer line claims nothing
    assert data["checks"] == {
        "checkers": [{"name": "numeric", "version": "1"}, {"name": "arith", "version": "1"}],
        "steps_checked": 24, "steps_passed": 16, "steps_failed": 2, "steps_none": 6, "chains_vetoed": 2,
    }  # fmt: skip
    assert "add 48 to get 85" in data["summary"] and RIGHT not in r.text and WRONG not in r.text
    assert data["usage"]["reasoning_tokens"] == 4 * len(RIGHT) + 2 * len(WRONG)
    assert set(data["timings"]) == {"generate_ms", "score_ms", "select_ms", "total_ms"}


def test_what_the_body_leaves_out_comes_from_the_settings() -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen), default_n=5, default_temperature=0.7, default_max_tokens=90) as app:
        data = app.client.post("/solve", json={"problem": PROBLEM}).json()
        assert (data["n"], data["selection"], data["aggregation"]) == (5, "prm_weighted_vote", "min")
    request = gen.requests[0]
    assert (request.n, request.temperature, request.max_tokens, request.seed) == (5, 0.7, 90, None)
    assert request.prompt == f"Q:{PROBLEM}\n"


def test_no_chain_reaching_an_answer_is_a_null_answer_not_an_error() -> None:
    with fake_app(fake_engines(FakeGenerator([UNFINISHED]))) as app:
        data = app.client.post("/solve", json={"problem": PROBLEM, "n": 2}).json()
    assert data["answer"] is None and data["clusters"] == [] and data["confidence"] == 0
    assert "did not reach" in data["summary"] or "not reached" in data["summary"]


@pytest.mark.parametrize(("name", "body", "status", "code", "needle"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_body(fake: FakeApp, name: str, body: object, status: int, code: str, needle: str) -> None:
    r = fake.client.post("/solve", json=body)
    assert r.status_code == status, r.text
    error_of(r.json(), code, needle)


def test_limits_from_the_settings_are_enforced() -> None:
    efforts = {"minimal": 1, "low": 2, "medium": 4, "high": 8}
    with fake_app(max_problem_chars=10, max_temperature=1.2, max_n=8, default_n=4, reasoning_effort_n=efforts) as app:
        for body, param in [({"problem": "1" * 11}, "at most 10"), ({"problem": "1+2", "temperature": 1.5}, "1.2")]:
            r = app.client.post("/solve", json=body)
            assert r.status_code == 422 and param in r.json()["error"]["message"], r.text
        assert "limit of 8" in app.client.post("/solve", json={"problem": "1+2", "n": 9}).json()["error"]["message"]


def test_malformed_json(fake: FakeApp) -> None:
    r = fake.client.post("/solve", content=b'{"problem": "1+2",', headers={"content-type": "application/json"})
    assert r.status_code == 422
    error_of(r.json(), "malformed_json", "not valid JSON")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type(fake: FakeApp, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    r = fake.client.post("/solve", content=b'{"problem": "1+2"}', headers=headers)
    assert r.status_code == 415
    error_of(r.json(), "unsupported_media_type", "application/json")


def test_unknown_route_and_method(fake: FakeApp) -> None:
    assert fake.client.get("/nope").json()["error"]["code"] == "not_found"
    assert fake.client.get("/solve").json()["error"]["code"] == "method_not_allowed"


def test_a_request_id_is_taken_echoed_and_bounded(fake: FakeApp) -> None:
    r = fake.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers={"x-request-id": "abc123"})
    assert r.headers["x-request-id"] == "abc123" and r.json()["request_id"] == "abc123"
    r = fake.client.post("/solve", json={"problem": ""}, headers={"x-request-id": "x" * 500})
    assert r.headers["x-request-id"] == "x" * 64 and r.json()["error"]["request_id"] == "x" * 64


@pytest.fixture
def failing() -> Iterator[tuple[FakeApp, FakeGenerator]]:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen), request_timeout_s=0.2) as app:
        yield app, gen


@pytest.mark.parametrize(
    ("change", "status", "code", "retry"),
    [
        ({"failure": EngineUnavailable("generator", "cannot reach http://gen")}, 503, "engine_unavailable", True),
        ({"failure": EngineError("generator", "generation failed")}, 424, "engine_error", False),
        ({"delay": 1.0}, 504, "deadline_exceeded", False),
    ],
)
def test_engine_failures_have_their_status_in_both_dialects(
    failing: tuple[FakeApp, FakeGenerator], change: dict[str, object], status: int, code: str, retry: bool
) -> None:
    app, gen = failing
    for key, value in change.items():
        setattr(gen, key, value)
    r = app.client.post("/solve", json={"problem": PROBLEM, "n": 2})
    assert r.status_code == status and ("retry-after" in r.headers) == retry
    error_of(r.json(), code, "")
    chat = {"model": "arith-generator", "messages": [{"role": "user", "content": PROBLEM}], "reasoning_effort": "low"}
    response = {"model": "arith-generator", "input": PROBLEM, "reasoning": {"effort": "low"}}
    for route, body in [("/v1/chat/completions", chat), ("/v1/responses", response)]:
        r = app.client.post(route, json=body)
        assert r.status_code == status and ("retry-after" in r.headers) == retry
        assert r.json()["error"]["code"] == code and r.json()["error"]["type"] == "server_error"


def test_the_adaptive_strategy_reports_what_it_spent_and_why_it_stopped(fake: FakeApp) -> None:
    body = {"problem": PROBLEM, "strategy": "adaptive", "budget": {"max_chains": 12}, "seed": 3}
    data = fake.client.post("/solve", json=body).json()
    search = data["search"]
    assert data["answer"] == "243" and data["n"] == 12
    assert search["chains_started"] == data["chain_counts"]["sampled"] <= 12
    assert search["stop_reason"] in ("certain", "decided", "max_chains")
    assert search["reasoning_tokens"] >= data["usage"]["reasoning_tokens"] > 0


def test_a_token_budget_holds_under_the_fixed_strategy_too(fake: FakeApp) -> None:
    body = {"problem": PROBLEM, "n": 8, "budget": {"max_reasoning_tokens": 60}}
    data = fake.client.post("/solve", json=body).json()
    assert data["search"]["stop_reason"] == "max_reasoning_tokens" and data["search"]["chains_pruned"] == 0
    # Over by at most the delta that crossed it and one delta (4 tokens) per running chain.
    assert data["usage"]["reasoning_tokens"] <= 60 + 4 * (8 + 1)


def test_n_and_the_chain_budget_must_agree(fake: FakeApp) -> None:
    r = fake.client.post("/solve", json={"problem": PROBLEM, "n": 4, "budget": {"max_chains": 8}})
    assert r.status_code == 422
    error_of(r.json(), "invalid_request", "disagree")
