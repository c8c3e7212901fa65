"""The adaptive strategy on the real engines: a pruned chain's vLLM request is really aborted,
budgets hold, and both deployments answer with what the search spent."""

from __future__ import annotations

import time

import pytest

from app.core.adaptive import PruneRule, SearchRules, StopRule
from app.service.params import SolveParams
from tests.api.test_streaming import sse
from tests.conftest import LiveServer
from tests.services import solve_service

pytestmark = pytest.mark.e2e

PROBLEM = "((37+48)*3)-12"


def test_pruned_chains_are_aborted_in_the_engine(live_server: LiveServer) -> None:
    """A floor no step reaches cuts every chain at its first scored step: vLLM must hold none of
    them afterwards (its own count of unfinished requests)."""
    app = live_server.app
    engines = app.state.api.engine_loader.value
    strict = solve_service(
        engines.generator,
        engines.scorer,
        None,
        engines.generator_format,
        timeout_s=120,
        max_concurrent=2,
        metrics=app.state.api.metrics,
        search_rules=SearchRules(PruneRule(floor=0.9999), StopRule(), wave=8),
    )
    params = SolveParams(PROBLEM, 16, 1.0, 64, 5, "min", "prm_weighted_vote", strategy="adaptive")
    out = live_server.call(strict.solve(params, "test-prune"))
    assert out.search is not None and out.search.pruned >= 1
    cut = [c for c in out.chains if c.finish_reason == "abort"]
    assert cut and not any(c.votes for c in cut)
    waited = time.perf_counter()
    while engines.generator.running_requests() and time.perf_counter() - waited < 2:
        time.sleep(0.02)
    assert engines.generator.running_requests() == 0


def test_the_token_budget_holds_on_the_real_engine(live_server: LiveServer) -> None:
    with live_server.client() as c:
        body = {"problem": PROBLEM, "n": 16, "seed": 2, "budget": {"max_reasoning_tokens": 100}}
        data = c.post("/solve", json=body).json()
    assert data["search"]["stop_reason"] == "max_reasoning_tokens"
    # A DELTA output carries the tokens of one engine step: about one per chain.
    assert data["usage"]["reasoning_tokens"] <= 100 + 4 * (16 + 1)


@pytest.mark.parametrize("stream", [False, True])
def test_both_deployments_search_adaptively(deployed: LiveServer, stream: bool) -> None:
    body = {"problem": PROBLEM, "strategy": "adaptive", "budget": {"max_chains": 32}, "seed": 11}
    with deployed.client() as c:
        if not stream:
            data = c.post("/solve", json=body).json()
        else:
            events = sse(c.post("/solve", json=body | {"stream": True}).text)
            progress = [d for e, d in events if e == "progress"]
            assert progress[-1]["stop_reason"] is not None
            data = events[-1][1]
    search = data["search"]
    assert data["answer"] == "243"
    assert search["stop_reason"] in ("certain", "decided", "max_chains")
    assert search["chains_started"] == data["chain_counts"]["sampled"] <= 32
    # An easy problem: decided long before the 32 chains a fixed strategy would have spent.
    assert search["chains_started"] < 32


@pytest.mark.parametrize("strategy", ["fixed", "adaptive"])
def test_thinking_longer_keeps_the_earlier_chains_on_both_deployments(deployed: LiveServer, strategy: str) -> None:
    """POST /solve/{id}/continue samples new chains on the real engines: the count grows, the
    earlier chains still vote, and the new ones are new samples (their seeds follow the first's)."""
    first_body = {"problem": "((((58*7)+26)-33)*4)+95", "n": 8, "seed": 21, "strategy": strategy}
    with deployed.client() as c:
        first = c.post("/solve", json=first_body).json()
        more = c.post(f"/solve/{first['request_id']}/continue", json={"budget": {"max_chains": 8}})
        assert more.status_code == 200, more.text
        second = more.json()
    earlier = {cl["answer"]: cl["count"] for cl in first["clusters"]}
    now = {cl["answer"]: cl["count"] for cl in second["clusters"]}
    assert second["chain_counts"]["sampled"] > first["chain_counts"]["sampled"]
    assert all(now.get(answer, 0) >= count for answer, count in earlier.items())
    assert second["usage"]["reasoning_tokens"] > first["usage"]["reasoning_tokens"]
    assert second["calibrated"] is True  # the shipped PRM's calibration, read at start-up
