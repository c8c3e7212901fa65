"""Step checks on every route (fake engines): asked for by name, refused when unknown, reported
as counts in /solve, its stream, the chat completion's `verification` and the response's
metadata; a canary inside a false claim never reaches a response."""

from __future__ import annotations

import pytest

from tests.api.test_streaming import sse
from tests.fakes import PROBLEM, RIGHT, FakeApp, FakeGenerator, fake_app, fake_engines

CANARY = "CANARYc4e1"
FALSE_CLAIM = f"37+48=85\n85*3=245 {CANARY}\n245-12=233\nA:233"


def test_an_unknown_checker_is_refused_naming_it(fake: FakeApp) -> None:
    r = fake.client.post("/solve", json={"problem": PROBLEM, "n": 2, "checks": ["numeric", "abacus"]})
    error = r.json()["error"]
    assert r.status_code == 422 and error["code"] == "invalid_request" and "'abacus'" in error["message"]


@pytest.mark.parametrize("checks", ["none", [], ["numeric"], "auto"])
def test_a_request_picks_its_checkers(fake: FakeApp, checks: object) -> None:
    data = fake.client.post("/solve", json={"problem": PROBLEM, "n": 2, "checks": checks}).json()
    names = [c["name"] for c in data["checks"]["checkers"]] if data["checks"] else []
    assert names == {"none": [], "auto": ["numeric", "arith"]}.get(str(checks), checks)


def test_every_route_reports_the_checks_and_none_leaks_a_claim() -> None:
    gen = FakeGenerator(chains=[FALSE_CLAIM, RIGHT])
    with fake_app(fake_engines(gen)) as fake:
        solved = fake.client.post("/solve", json={"problem": PROBLEM, "n": 4, "seed": 1})
        streamed = fake.client.post("/solve", json={"problem": PROBLEM, "n": 4, "seed": 1, "stream": True})
        chat = fake.client.post(
            "/v1/chat/completions",
            json={"model": "arith-generator", "messages": [{"role": "user", "content": PROBLEM}], "checks": "auto"},
        )
        response = fake.client.post("/v1/responses", json={"model": "arith-generator", "input": PROBLEM})
    for r in (solved, streamed, chat, response):
        assert r.status_code == 200, r.text
        assert CANARY not in r.text and "85*3=245" not in r.text and "245-12" not in r.text
    data = solved.json()
    assert data["checks"]["chains_vetoed"] == 2 and [c["vetoed"] for c in data["clusters"]] == [0, 2]
    progress = [d for e, d in sse(streamed.text) if e == "progress"]
    assert progress[-1]["chains_vetoed"] == 2
    assert chat.json()["verification"]["checks"]["steps_failed"] >= 1
    metadata = response.json()["metadata"]
    assert metadata["bon_checkers"] == "numeric@1,arith@1" and int(metadata["bon_chains_vetoed"]) >= 1
