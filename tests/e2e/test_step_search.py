"""The step-level searches on the real engines, in both deployments: chains advanced a step at a
time from vLLM's prefix cache, every step decoded once (the audit record's tree against the usage),
and a client that leaves stops every branch."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.api.test_streaming import sse
from tests.conftest import E2E_ADMIN_KEY, LiveServer, SplitDeployment

pytestmark = pytest.mark.e2e

PROBLEM = "((37+48)*3)-12"
HARDER = "((((58*7)+26)-33)*4)+95"


def solve(server: LiveServer, body: dict[str, Any], stream: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The answer, and the progress events when streamed."""
    with server.client() as c:
        if not stream:
            answer = c.post("/solve", json=body)
            assert answer.status_code == 200, answer.text
            return answer.json(), []
        events = sse(c.post("/solve", json=body | {"stream": True}).text)
    assert events[-1][0] == "result", events[-1]
    return events[-1][1], [d for e, d in events if e == "progress"]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("strategy", ["particle_filtering", "beam"])
def test_both_deployments_search_step_by_step(deployed: LiveServer, strategy: str, stream: bool) -> None:
    data, progress = solve(deployed, {"problem": PROBLEM, "strategy": strategy, "n": 8, "seed": 3}, stream)
    search = data["search"]
    assert data["answer"] == "243"
    assert search["stop_reason"] == "max_chains" and search["steps"] >= 3
    assert search["branches"] >= search["steps"]
    assert (search["resamplings"] > 0) == (strategy == "particle_filtering")
    assert search["reasoning_tokens"] == data["usage"]["reasoning_tokens"]
    if stream:  # the first event, one after each step, and the last
        assert len(progress) >= search["steps"] + 2
        assert progress[-1]["stop_reason"] == "max_chains"
        assert [p["tokens"] for p in progress] == sorted(p["tokens"] for p in progress)


def test_a_seeded_search_takes_the_same_steps_in_both_deployments(
    live_server: LiveServer, split_deployment: SplitDeployment
) -> None:
    body = {"problem": HARDER, "strategy": "particle_filtering", "n": 8, "seed": 5}
    embedded, _ = solve(live_server, body, False)
    split, _ = solve(split_deployment.api, body, False)
    # Nodes are numbered in the order each round asks, so the seeds follow the same order
    # whatever the timing of either deployment's requests.
    assert embedded["answer"] == split["answer"]
    assert embedded["search"] == split["search"]


def record(server: LiveServer, request_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {E2E_ADMIN_KEY}"}
    deadline = time.monotonic() + 30
    while (r := httpx.get(f"{server.url}/admin/traces/{request_id}", headers=headers)).status_code != 200:
        assert time.monotonic() < deadline, "the answer never reached the audit store"
        time.sleep(0.2)
    return r.json()["records"][0]["content"]  # type: ignore[no-any-return]


def test_no_step_is_decoded_twice_by_the_audit_records_tree(live_server: LiveServer) -> None:
    data, _ = solve(live_server, {"problem": HARDER, "strategy": "particle_filtering", "n": 16, "seed": 9}, False)
    content = record(live_server, data["request_id"])
    tree = {node["node"]: node for node in content["tree"]}
    assert sum(node["tokens"] for node in tree.values()) == data["usage"]["reasoning_tokens"]
    on_a_chain: set[int] = set()
    for chain in content["chains"]:
        path, at = [], chain["leaf"]
        while at is not None:
            path.append(tree[at])
            at = tree[at]["parent"]
        assert chain["tokens"] == sum(node["tokens"] for node in path)
        assert [node["depth"] for node in path] == list(range(len(path), 0, -1))
        on_a_chain |= {node["node"] for node in path}
    # A step no chain went on from, and no answering chain ends at, is one the resampling left behind.
    parents = {node["parent"] for node in tree.values()}
    left_behind = [n for n in tree if n not in parents and n not in on_a_chain]
    assert len(left_behind) == data["search"]["chains_pruned"]


def _generated_tokens(split: SplitDeployment) -> float:
    text = httpx.get(f"{split.generator.url}/metrics").text
    found = re.findall(r"^vllm:generation_tokens_total\{[^}]*\} ([0-9.e+]+)$", text, re.MULTILINE)
    return sum(float(v) for v in found)


def test_the_generator_decodes_exactly_the_tokens_the_usage_counts(split_deployment: SplitDeployment) -> None:
    """vLLM's own count of generated tokens: every step of the tree once, nothing re-decoded."""
    before = _generated_tokens(split_deployment)
    body = {"problem": HARDER, "strategy": "particle_filtering", "n": 16, "seed": 4}  # the summary is rule-based
    data, _ = solve(split_deployment.api, body, False)
    assert _generated_tokens(split_deployment) - before == data["usage"]["reasoning_tokens"]


def _running_on_the_generator_server(split: SplitDeployment) -> float:
    text = httpx.get(f"{split.generator.url}/metrics").text
    found = re.findall(r"^vllm:num_requests_(?:running|waiting)\{[^}]*\} ([0-9.e+]+)$", text, re.MULTILINE)
    return sum(float(v) for v in found)


@pytest.mark.parametrize("where", ["embedded", "split"])
def test_a_client_that_leaves_stops_every_branch(
    where: str, live_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    if where == "embedded":
        server = live_server
        engines = live_server.app.state.api.engine_loader.value

        def running() -> float:
            return float(engines.generator.running_requests())
    else:
        split: SplitDeployment = request.getfixturevalue("split_deployment")
        server = split.api

        def running() -> float:
            return _running_on_the_generator_server(split)

    body = {"problem": HARDER, "strategy": "particle_filtering", "n": 64, "seed": 1, "stream": True}
    with httpx.Client(base_url=server.url, timeout=60) as c, c.stream("POST", "/solve", json=body) as r:
        for line in r.iter_lines():
            if line.startswith("event: progress") and running() > 0:
                break  # leaving the block closes the connection, mid-search
    gone = time.perf_counter()
    while running() and time.perf_counter() - gone < 5:
        time.sleep(0.05)
    assert running() == 0, f"the generator still ran branches {time.perf_counter() - gone:.1f} s after"
