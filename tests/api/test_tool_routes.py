"""Tools on every route (fake engines): asked for by name, refused where they cannot run, counted
in the answer, its usage, its summary, the response's metadata and /metrics; the chains' code and
the tools' output never reach a response, and the audit record keeps every call."""

from __future__ import annotations

import asyncio

import pytest

from app.audit.layout import chains_of
from app.audit.record import solve_content
from app.service.params import SolveParams
from tests.api.test_streaming import sse
from tests.fakes import FORMAT, PROBLEM, RIGHT, WRONG, ArithmeticScorer, FakeGenerator, fake_app, fake_engines
from tests.services import solve_service

CALCULATOR = {"problem": PROBLEM, "n": 4, "seed": 0, "tools": ["calculator"]}


def test_the_calculator_corrects_the_chains_values_and_the_answer_counts_its_calls() -> None:
    with fake_app(fake_engines(FakeGenerator(chains=[WRONG, RIGHT]))) as fake:
        without = fake.client.post("/solve", json=CALCULATOR | {"tools": "none"}).json()
        r = fake.client.post("/solve", json=CALCULATOR)
        metrics = fake.client.get("/metrics").text
    data = r.json()
    assert r.status_code == 200, r.text
    assert [c["answer"] for c in without["clusters"]] == ["243", "233"] and without["tools"] is None
    assert [c["answer"] for c in data["clusters"]] == ["243"]  # every chain reads 85*3=255
    assert data["tools"] == {
        "tools": ["calculator"],
        "calls": [{"tool": "calculator", "calls": 16}],
        "ok": 16,
        "error": 0,
        "limit": 0,
        "refused": 0,
        "chains_calling": 4,
    }
    assert data["usage"]["tool_calls"] == 16 and without["usage"]["tool_calls"] == 0
    assert "called the calculator 16 times" in data["summary"]
    assert "85*3=" not in r.text and "255\\n" not in r.text  # chain text and what the tool wrote: hidden
    assert 'bon_tool_calls_total{outcome="ok",tool="calculator"} 16.0' in metrics


def test_a_streamed_request_with_tools_is_sampled_chain_by_chain() -> None:
    with fake_app(fake_engines(FakeGenerator(chains=[WRONG, RIGHT]))) as fake:
        r = fake.client.post("/solve", json=CALCULATOR | {"stream": True})
        whole = fake.client.post("/solve", json=CALCULATOR)
        metrics = fake.client.get("/metrics").text
    done = [d for e, d in sse(r.text) if e == "result"][-1]
    assert done["answer"] == whole.json()["answer"] == "243" and done["tools"]["ok"] == 16
    assert 'bon_requests_sampled_total{schedule="finished"} 2.0' in metrics  # never one batch: each chain pauses


def test_the_servers_default_tools_apply_unless_a_request_names_its_own() -> None:
    with fake_app(fake_engines(FakeGenerator(chains=[WRONG, RIGHT])), tools="auto") as fake:
        default = fake.client.post("/solve", json={"problem": PROBLEM, "n": 2, "seed": 0}).json()
        off = fake.client.post("/solve", json={"problem": PROBLEM, "n": 2, "seed": 0, "tools": "none"}).json()
    assert default["tools"]["ok"] == 8 and off["tools"] is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (CALCULATOR | {"tools": ["python"]}, "'python'"),  # the operator did not enable code
        (CALCULATOR | {"tools": ["abacus"]}, "'abacus'"),
        (CALCULATOR | {"strategy": "particle_filtering"}, "strategy='particle_filtering'"),
    ],
)
def test_tools_that_cannot_run_are_refused_naming_why(body: dict[str, object], says: str) -> None:
    with fake_app() as fake:
        r = fake.client.post("/solve", json=body)
    error = r.json()["error"]
    assert r.status_code == 422 and error["code"] == "invalid_request" and says in error["message"], error


@pytest.mark.parametrize(
    ("tools", "says"),
    [
        ([{"type": "code_interpreter", "container": {"type": "auto"}}], "'python'"),
        ([{"type": "function"}], "'function'"),
    ],
)
def test_the_responses_api_turns_on_code_only_where_it_runs(tools: object, says: str) -> None:
    with fake_app() as fake:
        r = fake.client.post("/v1/responses", json={"model": "arith-generator", "input": PROBLEM, "tools": tools})
    assert r.status_code == 400 and says in r.json()["error"]["message"], r.text


def test_the_responses_metadata_counts_the_calls() -> None:
    with fake_app(fake_engines(FakeGenerator(chains=[WRONG, RIGHT])), tools="auto") as fake:
        r = fake.client.post("/v1/responses", json={"model": "arith-generator", "input": PROBLEM})
    metadata = r.json()["metadata"]
    assert int(metadata["bon_tool_calls"]) > 0 and metadata["bon_tool_calls_failed"] == "0"


def test_the_audit_record_keeps_every_call_and_hides_its_text_under_store_false() -> None:
    service = solve_service(FakeGenerator(chains=[WRONG, RIGHT]), ArithmeticScorer(), None, FORMAT)
    params = SolveParams(PROBLEM, 2, 1.0, 160, 0, "min", "prm_weighted_vote", tools=("calculator",), max_tool_calls=8)
    outcome = asyncio.run(service.solve(params, "r-tools"))
    kept, hidden = solve_content(outcome, stored=True), solve_content(outcome, stored=False)
    first = kept["chains"][0]["tool_calls"][0]
    assert first | {"cpu_ms": 0, "wall_ms": 0} == {
        "tool": "calculator", "code": "37+48", "written": "85\n", "step": 0, "wall_ms": 0,
        "output": "85", "outcome": "ok", "cpu_ms": 0, "exit_status": None,
    }  # fmt: skip
    assert kept["params"]["tools"] == ["calculator"] and kept["usage"]["tool_calls"] == 8
    assert chains_of(kept) == tuple(outcome.chains)
    secret = hidden["chains"][0]["tool_calls"][0]
    assert set(secret["code"]) == {"sha256"} and set(secret["output"]) == {"sha256"} and secret["tool"] == "calculator"
    assert "37+48" not in str(hidden)
