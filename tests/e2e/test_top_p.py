"""`top_p` reaches the real generator in both deployments: a nucleus so small that only the most
likely token is left samples every chain greedily, whatever the temperature."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

PROBLEM = "((37+48)*3)-12"


def test_a_tiny_top_p_samples_every_chain_as_greedy_decoding_does(deployed: LiveServer) -> None:
    with deployed.client() as c:
        greedy = c.post("/solve", json={"problem": PROBLEM, "n": 1, "temperature": 0}).json()
        nucleus = c.post("/solve", json={"problem": PROBLEM, "n": 8, "seed": 3, "top_p": 0.001}).json()
        full = c.post("/solve", json={"problem": PROBLEM, "n": 8, "seed": 3}).json()
    assert [(k["answer"], k["count"]) for k in nucleus["clusters"]] == [(greedy["answer"], 8)]
    assert nucleus["usage"]["reasoning_tokens"] == 8 * greedy["usage"]["reasoning_tokens"]
    # The same seeds with the whole distribution do not all decode the greedy chain.
    assert full["usage"]["reasoning_tokens"] != nucleus["usage"]["reasoning_tokens"] or len(full["clusters"]) > 1
