"""POST /solve/{request_id}/continue on fake engines: thinking longer keeps the earlier chains and
their votes, and every way it can be refused. (The real engines continue in tests/e2e.)"""

from __future__ import annotations

import json
import time

from app.errors import EngineError
from tests.fakes import PROBLEM, FakeGenerator, fake_app, fake_engines

# The fake generator's script: chain i is RIGHT, RIGHT, WRONG, RIGHT, … (243 twice for each 233).


def clusters(data: dict) -> dict[str, int]:
    return {c["answer"]: c["count"] for c in data["clusters"]}


def test_continuing_adds_chains_and_keeps_the_earlier_votes() -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen)) as app:
        first = app.client.post("/solve", json={"problem": PROBLEM, "n": 3, "seed": 11}).json()
        assert first["chain_counts"]["sampled"] == 3 and clusters(first) == {"243": 2, "233": 1}
        rid = first["request_id"]

        more = app.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 3}})
        assert more.status_code == 200, more.text
        second = more.json()
        assert second["request_id"] == rid  # the same answer, grown: it can be continued again
        assert second["chain_counts"]["sampled"] == 6 and second["n"] == 6
        assert clusters(second) == {"243": 4, "233": 2}  # the first three still vote
        assert second["usage"]["reasoning_tokens"] == 2 * first["usage"]["reasoning_tokens"]
        assert gen.requests[-1].seed == 11 + 3  # new chains, not the first ones again

        third = app.client.post(f"/solve/{rid}/continue", json={}).json()  # as many more as the first n
        assert third["chain_counts"]["sampled"] == 9 and clusters(third) == {"243": 6, "233": 3}
        assert gen.requests[-1].seed == 11 + 6


def test_an_adaptive_continuation_reports_what_every_run_spent() -> None:
    with fake_app(fake_engines(FakeGenerator())) as app:
        first = app.client.post(
            "/solve", json={"problem": PROBLEM, "strategy": "adaptive", "budget": {"max_chains": 4}}
        ).json()
        rid, spent = first["request_id"], first["search"]
        second = app.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 4}}).json()
        search = second["search"]
        assert (
            search["chains_started"]
            == spent["chains_started"] + second["chain_counts"]["sampled"] - (first["chain_counts"]["sampled"])
        )
        assert search["reasoning_tokens"] == second["usage"]["reasoning_tokens"]
        assert sum(clusters(second).values()) >= sum(clusters(first).values())


def test_a_continuation_streams_like_a_solve() -> None:
    with fake_app(fake_engines(FakeGenerator())) as app:
        rid = app.client.post("/solve", json={"problem": PROBLEM, "n": 3}).json()["request_id"]
        with app.client.stream("POST", f"/solve/{rid}/continue", json={"stream": True}) as r:
            assert r.status_code == 200
            body = r.read().decode()
        events = [line.removeprefix("event: ") for line in body.splitlines() if line.startswith("event: ")]
        assert events[0] == "progress" and events[-1] == "result"
        lines = body.splitlines()
        result = json.loads(lines[lines.index("event: result") + 1].removeprefix("data: "))
        assert result["chain_counts"]["sampled"] == 6


def test_an_unknown_id_is_404_and_an_expired_one_410() -> None:
    with fake_app(fake_engines(FakeGenerator()), continue_ttl_s=0.2) as app:
        r = app.client.post("/solve/no-such-request/continue", json={})
        assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_request"
        rid = app.client.post("/solve", json={"problem": PROBLEM, "n": 2}).json()["request_id"]
        time.sleep(0.3)
        r = app.client.post(f"/solve/{rid}/continue", json={})
        assert r.status_code == 410 and r.json()["error"]["code"] == "request_expired"
        assert "0.2 s" in r.json()["error"]["message"]


def test_a_budget_beyond_the_servers_limit_is_refused_before_the_answer_is_touched() -> None:
    with fake_app(fake_engines(FakeGenerator())) as app:
        rid = app.client.post("/solve", json={"problem": PROBLEM, "n": 2}).json()["request_id"]
        r = app.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 65}})
        assert r.status_code == 422 and "max_n=64" in r.json()["error"]["message"]
        r = app.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 2}, "n": 3})
        assert r.status_code == 422  # an unknown field
        assert app.client.post(f"/solve/{rid}/continue", json={}).status_code == 200


def test_a_failed_continuation_loses_nothing() -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen)) as app:
        rid = app.client.post("/solve", json={"problem": PROBLEM, "n": 3}).json()["request_id"]
        gen.failure = EngineError("generator", "out of memory")
        assert app.client.post(f"/solve/{rid}/continue", json={}).status_code == 424
        gen.failure = None
        again = app.client.post(f"/solve/{rid}/continue", json={}).json()
        assert again["chain_counts"]["sampled"] == 6 and clusters(again) == {"243": 4, "233": 2}


def test_a_continuations_token_budget_holds() -> None:
    with fake_app(fake_engines(FakeGenerator())) as app:
        first = app.client.post("/solve", json={"problem": PROBLEM, "n": 3}).json()
        body = {"budget": {"max_chains": 16, "max_reasoning_tokens": 20}}
        second = app.client.post(f"/solve/{first['request_id']}/continue", json=body).json()
    spent = second["usage"]["reasoning_tokens"] - first["usage"]["reasoning_tokens"]
    assert second["search"]["stop_reason"] == "max_reasoning_tokens"
    assert 20 <= spent <= 20 + 16 * 4  # over by at most one delta (4 characters) of each running chain
    assert second["chain_counts"]["voted"] < 3 + 16  # chains stopped on the way do not vote


def test_an_adaptive_continuation_brings_a_decided_vote_of_its_own() -> None:
    """The first search stopped on a decided vote; thinking longer must not stop again at the
    first new chain (the kept votes count in the answer, not in the new search's stop rule)."""
    with fake_app(fake_engines(FakeGenerator())) as app:
        body = {"problem": PROBLEM, "strategy": "adaptive", "budget": {"max_chains": 16}}
        first = app.client.post("/solve", json=body).json()
        assert first["search"]["stop_reason"] in ("decided", "certain")
        second = app.client.post(f"/solve/{first['request_id']}/continue", json={"budget": {"max_chains": 16}}).json()
    new_votes = second["chain_counts"]["voted"] - first["chain_counts"]["voted"]
    assert new_votes >= 2 and second["search"]["stop_reason"] in ("decided", "certain")


def test_a_greedy_answer_or_one_at_its_limit_cannot_think_longer() -> None:
    with fake_app(fake_engines(FakeGenerator()), continue_max_chains=8) as app:
        greedy = app.client.post("/solve", json={"problem": PROBLEM, "n": 1, "temperature": 0}).json()
        r = app.client.post(f"/solve/{greedy['request_id']}/continue", json={})
        assert r.status_code == 422 and "greedy" in r.json()["error"]["message"]
        rid = app.client.post("/solve", json={"problem": PROBLEM, "n": 4}).json()["request_id"]
        r = app.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 5}})
        assert r.status_code == 422 and "BON_CONTINUE_MAX_CHAINS" in r.json()["error"]["message"]
        assert app.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 4}}).status_code == 200


def test_the_metrics_count_each_run_once() -> None:
    def sampled(text: str) -> float:
        line = next(ln for ln in text.splitlines() if ln.startswith("bon_chains_sampled_total"))
        return float(line.split()[-1])

    with fake_app(fake_engines(FakeGenerator())) as app:
        rid = app.client.post("/solve", json={"problem": PROBLEM, "n": 3}).json()["request_id"]
        app.client.post(f"/solve/{rid}/continue", json={})
        app.client.post(f"/solve/{rid}/continue", json={})
        assert sampled(app.client.get("/metrics").text) == 9  # 3 + 3 + 3, not 3 + 6 + 9


def test_only_the_native_routes_answers_are_kept_and_off_when_the_ttl_is_zero() -> None:
    with fake_app(fake_engines(FakeGenerator())) as app:
        chat = app.client.post(
            "/v1/chat/completions",
            json={"model": "arith-generator", "messages": [{"role": "user", "content": PROBLEM}]},
        )
        rid = chat.json()["id"].removeprefix("chatcmpl-")
        assert app.client.post(f"/solve/{rid}/continue", json={}).status_code == 404
    with fake_app(fake_engines(FakeGenerator()), continue_ttl_s=0) as app:
        rid = app.client.post("/solve", json={"problem": PROBLEM, "n": 2}).json()["request_id"]
        r = app.client.post(f"/solve/{rid}/continue", json={})
        assert r.status_code == 404 and "BON_CONTINUE_TTL_S" in r.json()["error"]["message"]


def test_a_fixed_answers_continuation_reports_what_both_runs_spent() -> None:
    with fake_app(fake_engines(FakeGenerator())) as app:
        first = app.client.post("/solve", json={"problem": PROBLEM, "n": 3}).json()
        second = app.client.post(f"/solve/{first['request_id']}/continue", json={}).json()
    assert second["search"]["chains_started"] == second["chain_counts"]["sampled"] == 6
    assert second["search"]["reasoning_tokens"] == second["usage"]["reasoning_tokens"]
