"""The reward worker's app on a fake scorer factory: its routes, loading states, request id and
metrics. (The worker on real vLLM engines is tested in tests/e2e.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from app.errors import EngineUnavailable
from app.reward_wire import RewardKind
from app.worker.app import LoadedScorer, Scorers, create_worker_app
from app.worker.config import WorkerSettings
from tests.fakes import ArithmeticScorer

CHAINS = [["37+48=85", "85*3=245", "A:245"], []]


def scorers(with_orm: bool = True) -> dict[RewardKind, LoadedScorer]:
    loaded: dict[RewardKind, LoadedScorer] = {"process": LoadedScorer("fake-prm", ArithmeticScorer())}
    if with_orm:
        loaded["outcome"] = LoadedScorer("fake-orm", ArithmeticScorer())
    return loaded


@contextmanager
def worker(factory: object) -> Iterator[TestClient]:
    with TestClient(create_worker_app(WorkerSettings(), factory)) as client:  # type: ignore[arg-type]
        yield client


def wait_until_loaded(client: TestClient) -> None:
    for _ in range(200):
        if client.get("/ready").json()["status"] != "loading":
            return
        time.sleep(0.01)
    raise AssertionError("the fake scorers never loaded")


@pytest.fixture
def client() -> Iterator[TestClient]:
    with worker(lambda _: scorers()) as c:
        wait_until_loaded(c)
        yield c


def test_score_answers_every_step_of_every_chain(client: TestClient) -> None:
    r = client.post("/score", json={"problem": "((37+48)*3)-12", "chains": CHAINS})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "model": "fake-prm",
        "scores": [[0.95, 0.05, 0.9], []],
        "tokens_scored": 51,
        "tokens_cached": 0,
        "unread": [],
    }
    outcome = client.post("/score", json={"problem": "1+1", "chains": CHAINS, "reward": "outcome"})
    assert outcome.json()["model"] == "fake-orm"


def test_ready_lists_the_models(client: TestClient) -> None:
    assert client.get("/ready").json() == {"status": "ready", "models": {"process": "fake-prm", "outcome": "fake-orm"}}


def test_the_callers_request_id_is_read_and_echoed(client: TestClient) -> None:
    r = client.post("/score", json={"problem": "1+1", "chains": CHAINS}, headers={"X-Request-ID": "api-req-7"})
    assert r.headers["x-request-id"] == "api-req-7"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"problem": "", "chains": [["1+1=2"]]}, "problem"),
        ({"problem": "1+1", "chains": "1+1=2"}, "chains"),
        ({"problem": "1+1", "chains": [["1+1=2"]], "reward": "bogus"}, "reward"),
        ({"problem": "reject this", "chains": [["1+1=2"]]}, "999 tokens"),
    ],
)
def test_bad_input_is_a_422_in_the_envelope(client: TestClient, body: dict[str, object], needle: str) -> None:
    r = client.post("/score", json=body)
    assert r.status_code == 422 and needle in r.json()["error"]["message"], r.text


def test_a_worker_without_an_outcome_model_says_so() -> None:
    with worker(lambda _: scorers(with_orm=False)) as c:
        wait_until_loaded(c)
        r = c.post("/score", json={"problem": "1+1", "chains": [["1+1=2"]], "reward": "outcome"})
    assert r.status_code == 422 and "no outcome reward model" in r.json()["error"]["message"]


def test_while_loading_score_and_ready_are_503() -> None:
    release = threading.Event()

    def slow(_: WorkerSettings) -> Scorers:
        release.wait(30)
        return scorers()

    with worker(slow) as c:
        r = c.post("/score", json={"problem": "1+1", "chains": [["1+1=2"]]})
        assert r.status_code == 503 and r.headers["retry-after"] == "1" and r.json()["error"]["code"] == "not_ready"
        assert c.get("/ready").status_code == 503 and c.get("/health").json() == {"status": "ok"}
        release.set()
        wait_until_loaded(c)
        assert c.post("/score", json={"problem": "1+1", "chains": [["1+1=2"]]}).status_code == 200


def test_models_that_failed_to_load_are_reported() -> None:
    def broken(_: WorkerSettings) -> Scorers:
        raise RuntimeError("no such model directory: /models/arith-prm")

    with worker(broken) as c:
        wait_until_loaded(c)
        ready = c.get("/ready")
        r = c.post("/score", json={"problem": "1+1", "chains": [["1+1=2"]]})
    assert ready.status_code == 503 and "no such model directory" in ready.json()["detail"]
    assert r.status_code == 424 and r.json()["error"]["message"].startswith("reward: the reward models failed")


def test_an_engine_that_stops_answering_fails_ready() -> None:
    loaded = scorers()
    with worker(lambda _: loaded) as c:
        wait_until_loaded(c)
        loaded["process"].scorer.failure = EngineUnavailable("reward", "engine is not healthy")  # type: ignore[attr-defined]
        ready = c.get("/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "failed" and "not healthy" in ready.json()["detail"]


def test_metrics_count_requests_per_engine_call(client: TestClient) -> None:
    client.post("/score", json={"problem": "1+1", "chains": [["1+1=2"]]})
    text = client.get("/metrics").text
    assert 'bon_worker_batch_requests_count{reward="process"} 1.0' in text and 'handler="/score"' in text


def test_the_scorers_are_closed_on_shutdown() -> None:
    loaded = scorers()
    with worker(lambda _: loaded) as c:
        wait_until_loaded(c)
    assert all(s.scorer.closed for s in loaded.values())  # type: ignore[attr-defined]


def test_room_says_how_much_of_a_chain_the_reward_model_reads(client: TestClient) -> None:
    r = client.post("/room", json={"problem": "1+1"})
    assert r.status_code == 200 and r.json() == {"tokens": 256 - len("Q:1+1\n") - 1}
    assert client.post("/room", json={"problem": ""}).status_code == 422


def test_unread_chains_are_named_in_the_answer() -> None:
    loaded: dict[RewardKind, LoadedScorer] = {"process": LoadedScorer("fake-prm", ArithmeticScorer(read_limit=10))}
    with worker(lambda _: loaded) as c:
        wait_until_loaded(c)
        r = c.post("/score", json={"problem": "1+1", "chains": [["1+1=2"], ["1+1=2", "2+2=4", "A:4"]]})
    assert r.json()["scores"] == [[0.95], []] and r.json()["unread"] == [1]


def test_the_spec_documents_only_what_scoring_can_fail_with() -> None:
    spec = create_worker_app(WorkerSettings(), lambda _: scorers()).openapi()
    for path in ("/score", "/room"):
        documented = spec["paths"][path]["post"]["responses"]
        assert set(documented) == {"200", "422", "424", "503"}, path  # no keys, queue or deadline here


def test_check_runs_a_heavy_checker_in_the_workers_pool_and_refuses_an_unknown_one(client: TestClient) -> None:
    body = {
        "problem": "x",
        "checker": "latex",
        "items": [{"previous": [], "step": "$3 \\times 85 = 265$"}, {"previous": ["a"], "step": "$2+2=4$"}],
    }
    r = client.post("/check", json=body)
    assert r.status_code == 200, r.text
    checks = r.json()["checks"]
    assert [c["verdict"] for c in checks] == ["fail", "pass"] and checks[0]["value"].startswith("255")
    unknown = client.post("/check", json=body | {"checker": "abacus"})
    assert unknown.status_code == 422 and "abacus" in unknown.text
