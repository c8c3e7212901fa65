"""Replica pools on loopback: two `vllm serve` generators, two reward workers, two API replicas
(separate processes, as pods are) sharing a throw-away PostgreSQL.

Which replica served a call is read from the replicas' own `/metrics` (vLLM's finished requests,
the worker's `/score` and `/room` calls), never from the API's word for it. The test picks request
ids (`X-Request-ID`) whose rendezvous hash homes them on a chosen replica."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from app.config import Settings
from app.engines.replicas import rendezvous_weight
from lab.local_services import LocalService, generator_service, reward_service
from lab.postgres import PostgresCluster
from tests.conftest import SplitDeployment, free_port

pytestmark = pytest.mark.e2e

ADMIN = "admin-key-of-the-replica-test"
PROBLEM = "((37+48)*3)-12"
SCORING = ("/score", "/room")  # the worker's routes a request's re-reads call


@dataclass
class Deployment:
    generators: list[LocalService]  # the second is the one the last test kills
    rewards: list[LocalService]
    apis: list[LocalService]


@pytest.fixture(scope="module")
def deployment(
    split_deployment: SplitDeployment, postgres: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """The session's split deployment's engines are one replica of each pool; a second of each
    starts here, and two API processes point at both."""
    logs = tmp_path_factory.mktemp("replica-logs")
    settings = Settings()
    generator = generator_service(settings.generator, free_port(), _dir(logs / "generator-b"))
    reward = reward_service(settings, free_port(), _dir(logs / "reward-b"))
    database = f"replicas_{uuid.uuid4().hex[:8]}"
    postgres.psql(f"CREATE DATABASE {database}")
    generators = [split_deployment.generator, generator]
    rewards = [split_deployment.reward, reward]
    env = {
        "BON_HOST": "127.0.0.1",
        "BON_GENERATOR_URL": ",".join(g.url for g in generators),
        "BON_REWARD_URL": ",".join(r.url for r in rewards),
        "BON_TRACE_DB": postgres.url.rsplit("/", 1)[0] + f"/{database}",
        "BON_ADMIN_KEYS": ADMIN,
        "BON_REQUEST_TIMEOUT_S": "300",
        "BON_REMOTE_TIMEOUT_S": "60",
        "BON_DATA_DIR": str(logs),
    }
    apis = [_api(f"api-{i}", env, logs) for i in range(2)]
    try:
        for service in (generator, reward, *apis):
            service.start(timeout=600)
        yield Deployment(generators, rewards, apis)
    finally:
        for service in (*apis, reward, generator):
            service.stop()


def _dir(path: Path) -> Path:
    path.mkdir()
    return path


def _api(name: str, env: dict[str, str], logs: Path) -> LocalService:
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    return LocalService(name, command, f"http://127.0.0.1:{port}", "/ready", logs / f"{name}.log", env)


def calls(service: LocalService) -> float:
    """How many calls the replica has served, by its own /metrics: finished generation requests
    (vLLM), or scoring calls (the worker)."""
    samples = _samples(service)
    scored = sum(_total(samples, "http_requests_total", handler=route) for route in SCORING)
    return _total(samples, "vllm:request_success_total") + scored


def snapshot(deployment: Deployment) -> dict[str, float]:
    return {s.url: calls(s) for s in (*deployment.generators, *deployment.rewards)}


def served_since(deployment: Deployment, before: dict[str, float], pool: list[LocalService]) -> set[str]:
    """The replicas of `pool` that served calls since `before` (vLLM counts a request as its
    output is processed: a moment is left for the last one to be counted)."""
    time.sleep(0.5)
    after = snapshot(deployment)
    return {r.url for r in pool if after[r.url] > before[r.url]}


def home(request_id: str, replicas: list[LocalService]) -> LocalService:
    """The replica a request id is pinned to while all are healthy (the API's own rendezvous hash
    over the URLs its pool holds: the settings' URLs, which name IP addresses here)."""
    return max(replicas, key=lambda r: rendezvous_weight(request_id, r.url))


def ids_homed_on(replica: LocalService, replicas: list[LocalService], how_many: int, tag: str) -> list[str]:
    candidates = (f"{tag}-{i}" for i in count())
    return [i for _, i in zip(range(how_many), (c for c in candidates if home(c, replicas) is replica), strict=False)]


def solve(api: LocalService, request_id: str | None, n: int = 4, seed: int = 1) -> httpx.Response:
    headers = {"X-Request-ID": request_id} if request_id else {}
    body = {"problem": PROBLEM, "n": n, "seed": seed, "strategy": "fixed"}
    return httpx.post(f"{api.url}/solve", json=body, headers=headers, timeout=300)


def test_the_api_pins_a_pool_on_the_settings_urls(deployment: Deployment) -> None:
    ready = httpx.get(f"{deployment.apis[0].url}/ready", timeout=30).json()
    pools = {p["name"]: p for p in ready["pools"]}
    assert {r["url"].rstrip("/") for r in pools["generator"]["replicas"]} == {g.url for g in deployment.generators}
    assert {r["url"].rstrip("/") for r in pools["reward"]["replicas"]} == {r.url for r in deployment.rewards}
    assert all(p["ready"] and all(r["ready"] for r in p["replicas"]) for p in pools.values())


def test_every_call_of_a_request_goes_to_one_replica_of_each_pool(deployment: Deployment) -> None:
    generators, rewards = deployment.generators, deployment.rewards
    ids = [i for g in generators for i in ids_homed_on(g, generators, 2, "affinity")]
    assert {home(i, rewards).url for i in ids} == {r.url for r in rewards}, "the ids reach both reward replicas"
    for k, request_id in enumerate(ids):
        before = snapshot(deployment)
        answer = solve(deployment.apis[k % 2], request_id, seed=k)
        assert answer.status_code == 200, answer.text
        for pool in (generators, rewards):
            assert served_since(deployment, before, pool) == {home(request_id, pool).url}, request_id


def test_requests_spread_over_both_replicas_of_each_pool(deployment: Deployment) -> None:
    """Ids the API makes itself (random): 16 requests all on one replica would be a 1-in-32768 chance."""
    before = snapshot(deployment)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda k: solve(deployment.apis[k % 2], None, n=2, seed=k), range(16)))
    assert all(a.status_code == 200 for a in answers)
    for replicas in (deployment.generators, deployment.rewards):
        assert served_since(deployment, before, replicas) == {r.url for r in replicas}


def test_an_answer_continues_through_the_other_api_replica(deployment: Deployment) -> None:
    first, other = deployment.apis
    request_id = ids_homed_on(deployment.generators[1], deployment.generators, 1, "continued")[0]
    answered = solve(first, request_id)
    assert answered.status_code == 200, answered.text
    _trace(first, request_id)  # the answer is in the shared store
    before = snapshot(deployment)
    more = httpx.post(
        f"{other.url}/solve/{request_id}/continue", json={"budget": {"max_chains": 4}, "strategy": "fixed"}, timeout=300
    )
    assert more.status_code == 200, more.text
    assert more.json()["request_id"] == request_id and more.json()["n"] == 8
    # The continuation's chains and re-reads went where the answer's did.
    for pool in (deployment.generators, deployment.rewards):
        assert served_since(deployment, before, pool) == {home(request_id, pool).url}
    trace = _trace(first, request_id, records=2)
    assert [len(r["content"]["chains"]) for r in trace["records"]] == [4, 8]


@dataclass
class Outcome:
    request_id: str
    status: int
    body: dict[str, Any]
    sent_after_kill: bool


def test_a_generator_killed_under_load_loses_no_request(deployment: Deployment) -> None:
    """Under a bounded load, one generator is killed: every request answers, a 503 only where a
    chain had already streamed from the killed replica, and every answer holds its N chains, once."""
    generators, apis = deployment.generators, deployment.apis
    doomed, survivor = generators[1], generators[0]
    ids = [i for pair in zip(*(ids_homed_on(g, generators, 12, "load") for g in generators), strict=True) for i in pair]
    killed = threading.Event()
    answered: list[Outcome] = []

    def one(k: int) -> Outcome:
        sent_after = killed.is_set()
        answer = solve(apis[k % 2], ids[k], seed=k)
        answered.append(outcome := Outcome(ids[k], answer.status_code, answer.json(), sent_after))
        return outcome

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(one, k) for k in range(len(ids))]
        while len(answered) < len(ids) // 3:
            time.sleep(0.05)
        assert doomed.process is not None
        os.killpg(os.getpgid(doomed.process.pid), signal.SIGKILL)
        doomed.process.wait()
        killed.set()
        outcomes = [f.result() for f in futures]

    for o in outcomes:
        assert o.status in (200, 503), o
        if o.status == 503:
            assert o.body["error"]["code"] == "engine_unavailable", o
            assert home(o.request_id, generators) is doomed and not o.sent_after_kill, o
    assert all(o.status == 200 for o in outcomes if home(o.request_id, generators) is survivor)
    assert all(o.status == 200 for o in outcomes if o.sent_after_kill)
    assert any(o.sent_after_kill and home(o.request_id, generators) is doomed for o in outcomes)
    for o in outcomes:
        if o.status == 200:
            record = _trace(apis[0], o.request_id)["records"][-1]["content"]
            assert len(record["chains"]) == o.body["n"] == 4, o.request_id
    # The pool tells the dead replica apart, and stays ready on the other.
    ready = httpx.get(f"{apis[0].url}/ready", timeout=60).json()
    generator_pool = next(p for p in ready["pools"] if p["name"] == "generator")
    states = {r["url"].rstrip("/"): r["ready"] for r in generator_pool["replicas"]}
    assert generator_pool["ready"] and states == {survivor.url: True, doomed.url: False}
    failovers = sum(_total(_samples(api), "bon_replica_failovers_total", pool="generator") for api in apis)
    assert failovers >= 1


def _trace(api: LocalService, request_id: str, records: int = 1) -> dict[str, Any]:
    """The request's audit records, read through `api` (any replica: the store is shared); records
    are written in the background, so a fresh one may take a moment to appear."""
    deadline = time.monotonic() + 30
    while True:
        answer = httpx.get(
            f"{api.url}/admin/traces/{request_id}", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
        )
        found = answer.json()["records"] if answer.status_code == 200 else []
        if len(found) >= records or time.monotonic() > deadline:
            assert answer.status_code == 200, answer.text
            return answer.json()
        time.sleep(0.2)


def _samples(service: LocalService) -> list[Sample]:
    """The samples of the service's own /metrics, read once."""
    text = httpx.get(f"{service.url}/metrics", timeout=10).text
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def _total(samples: list[Sample], name: str, **labels: str) -> float:
    """The sum of a metric's samples with these labels."""
    return sum(s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))
