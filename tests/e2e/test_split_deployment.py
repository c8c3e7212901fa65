"""The split deployment: the same answers as the embedded one, the worker's batching, and faults
(a stopped service gives a 503 naming it, and the app serves again once it is back)."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from lab.local_services import LocalService
from lab.task import arith
from tests.conftest import LiveServer, SplitDeployment

pytestmark = pytest.mark.e2e


def test_a_fixed_seed_gives_the_same_answer_in_both_deployments(
    live_server: LiveServer, split_deployment: SplitDeployment
) -> None:
    for i, p in enumerate(arith.problems("test", 4, seed=2024)):
        body = {"problem": p.text, "n": 16, "seed": 100 + i}
        with live_server.client() as a, split_deployment.api.client() as b:
            embedded, split = a.post("/solve", json=body).json(), b.post("/solve", json=body).json()
        assert split["answer"] == embedded["answer"]
        counts = [[(c["answer"], c["count"]) for c in d["clusters"]] for d in (split, embedded)]
        assert counts[0] == counts[1]
        assert split["step_scores"] == pytest.approx(embedded["step_scores"], abs=1e-4)
        assert split["usage"]["reasoning_tokens"] == embedded["usage"]["reasoning_tokens"]


def _batch_stats(reward: LocalService) -> tuple[float, float]:
    text = httpx.get(f"{reward.url}/metrics").text

    def value(name: str) -> float:
        found = re.search(rf'^{name}{{reward="process"}} (\S+)$', text, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    return value("bon_worker_batch_requests_count"), value("bon_worker_batch_requests_sum")


def test_the_worker_batches_concurrent_requests_into_fewer_engine_calls(split_deployment: SplitDeployment) -> None:
    reward = split_deployment.reward
    problems = arith.problems("test", 16, seed=77)
    bodies = [{"problem": p.text, "chains": [p.reference_steps()] * 8} for p in problems]
    calls_before, requests_before = _batch_stats(reward)
    with ThreadPoolExecutor(16) as pool, httpx.Client(base_url=reward.url, timeout=120) as c:
        answers = list(pool.map(lambda b: c.post("/score", json=b), bodies))
    assert all(r.status_code == 200 for r in answers), [r.text for r in answers if r.status_code != 200]
    for body, r in zip(bodies, answers, strict=True):
        scores = r.json()["scores"]
        assert [len(s) for s in scores] == [len(c) for c in body["chains"]]
    calls_after, requests_after = _batch_stats(reward)
    assert requests_after - requests_before == 16
    assert calls_after - calls_before < 16, "every request went to the engine alone"


def test_the_worker_refuses_bad_input_and_leaves_out_what_it_cannot_read(split_deployment: SplitDeployment) -> None:
    with httpx.Client(base_url=split_deployment.reward.url, timeout=60) as c:
        assert c.post("/score", json={"problem": "", "chains": [["1+1=2"]]}).status_code == 422
        tagged = c.post("/score", json={"problem": "1+1", "chains": [["1+1=2#"], ["1#+1=2", "A:2"]]})
        too_long = c.post("/score", json={"problem": "1+1", "chains": [["1+1=2"] * 200, ["1+1=2", "A:2"]]})
        room = c.post("/room", json={"problem": "1+1"})
    assert tagged.status_code == 200 and [len(s) for s in tagged.json()["scores"]] == [1, 2]  # tags in steps removed
    assert too_long.status_code == 200 and too_long.json()["unread"] == [0]
    assert [len(s) for s in too_long.json()["scores"]] == [0, 2]
    assert room.status_code == 200 and room.json()["tokens"] == 256 - (
        len("Q:1+1\n") + 1
    )  # a token a character, and BOS


def _assert_unavailable(api: LiveServer, service: str, timeout_s: float) -> None:
    with api.client() as c:
        start = time.monotonic()
        r = c.post("/solve", json={"problem": "(12+30)*4", "n": 4, "seed": 1})
        elapsed = time.monotonic() - start
        ready = c.get("/ready")
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["code"] == "engine_unavailable" and error["message"].startswith(f"{service}:")
    assert elapsed < timeout_s  # answered, not hung
    assert ready.status_code == 503 and ready.json()["engines"][service] == "unavailable"


def _assert_serving(api: LiveServer) -> None:
    with api.client() as c:
        assert c.get("/ready").status_code == 200
        r = c.post("/solve", json={"problem": "(12+30)*4", "n": 4, "seed": 1})
    assert r.status_code == 200 and r.json()["answer"], r.text


@pytest.mark.parametrize("service", ["reward", "generator"])
def test_a_stopped_service_gives_503_naming_it_and_the_app_recovers_without_restart(
    split_deployment: SplitDeployment, service: str
) -> None:
    process: LocalService = getattr(split_deployment, service)
    _assert_serving(split_deployment.api)
    process.stop()
    try:
        _assert_unavailable(split_deployment.api, service, timeout_s=30 + 10)
    finally:
        process.start()
    _assert_serving(split_deployment.api)
