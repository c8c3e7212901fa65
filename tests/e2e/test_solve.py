"""POST /solve end to end on the real engines with the shipped models, in both deployments: the
embedded default and the split one (generator server, reward worker, app as three processes)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from dataclasses import replace

import pytest

from app.config import SHIPPED_MODELS
from app.engines.notes import Notes
from app.engines.protocols import ChainDelta, ChainSampler, Generation, Generator, SamplingRequest
from app.service.solve import SolveService
from app.tools.calls import Interjector
from lab.task import arith
from tests.conftest import LiveServer
from tests.services import solve_service

pytestmark = pytest.mark.e2e


def solve(server: LiveServer, **body: object) -> dict[str, object]:
    with server.client() as c:
        r = c.post("/solve", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_health_and_ready(deployed: LiveServer) -> None:
    with deployed.client() as c:
        assert c.get("/health").json() == {"status": "ok"}
        ready = c.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["engines"] == {"generator": "ready", "reward": "ready", "outcome_reward": "ready"}


def test_solve_answers_with_summary_clusters_scores_and_usage(deployed: LiveServer) -> None:
    data = solve(deployed, problem="((37+48)*3)-12", n=16, seed=1)
    assert data["answer"] == "243"
    assert data["n"] == 16 and data["selection"] == "prm_weighted_vote"
    assert "243" in data["summary"]  # type: ignore[operator]
    clusters = data["clusters"]
    assert isinstance(clusters, list) and clusters[0]["answer"] == "243"
    assert sum(c["count"] for c in clusters) <= 16
    scores = data["step_scores"]
    assert isinstance(scores, list) and len(scores) == 4 and all(0 <= s <= 1 for s in scores)
    usage = data["usage"]
    assert isinstance(usage, dict) and usage["reasoning_tokens"] > 16 * 10 and usage["scored_tokens"] > 0
    assert set(data) == {
        "request_id",
        "answer",
        "summary",
        "confidence",
        "calibrated",
        "verified",
        "n",
        "selection",
        "aggregation",
        "clusters",
        "step_scores",
        "step_checks",
        "checks",
        "chain_counts",
        "usage",
        "timings",
        "search",
        "tools",
        "context",
    }
    assert data["search"] is None and data["tools"] is None  # fixed, no budget, no tools
    assert data["context"] is None  # no note was added
    assert len(data["step_checks"]) == 4 and data["step_checks"][-1] == "none"  # the answer line claims nothing
    assert data["calibrated"] is True  # the shipped PRM's calibration, read at start-up
    assert data["verified"] is (data["confidence"] >= 0.9)


def test_accuracy_on_held_out_problems_matches_the_evaluation(deployed: LiveServer) -> None:
    report = json.loads((SHIPPED_MODELS / "eval.json").read_text())
    expected = report["best_of_n"]["16"]["prm_weighted_vote_min"]
    problems = arith.problems("test", 120, seed=12345)  # other test problems than the evaluation's
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda ip: solve(deployed, problem=ip[1].text, n=16, seed=ip[0])["answer"], enumerate(problems))
        )
    accuracy = 100 * sum(a == str(p.answer) for a, p in zip(answers, problems, strict=True)) / len(problems)
    # 120 problems: one binomial standard error is about 4.5 points; allow two.
    assert accuracy >= expected - 9, f"service {accuracy:.1f}% vs evaluation {expected:.1f}%"


def test_same_seed_same_answer(deployed: LiveServer) -> None:
    problem = arith.problems("test", 1, seed=99)[0].text
    a = solve(deployed, problem=problem, n=8, seed=42)
    b = solve(deployed, problem=problem, n=8, seed=42)
    assert (a["answer"], a["clusters"], a["step_scores"]) == (b["answer"], b["clusters"], b["step_scores"])


def test_eight_concurrent_requests_all_succeed(deployed: LiveServer) -> None:
    problems = arith.problems("test", 8, seed=7)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda p: solve(deployed, problem=p.text, n=16), problems))
    assert len({r["request_id"] for r in results}) == 8


@pytest.mark.parametrize("selection", ["prm_max", "prm_weighted_vote", "majority_vote", "orm_max"])
@pytest.mark.parametrize("aggregation", ["min", "prod", "last", "mean"])
def test_every_selection_and_aggregation(deployed: LiveServer, selection: str, aggregation: str) -> None:
    data = solve(deployed, problem="(12+30)*4", n=4, seed=5, selection=selection, aggregation=aggregation)
    assert data["selection"] == selection and data["aggregation"] == aggregation
    assert 0 <= data["confidence"] <= 1  # type: ignore[operator]


def test_metrics_count_requests_stages_and_tokens(deployed: LiveServer) -> None:
    solve(deployed, problem="(12+30)*4", n=4, seed=5)
    with deployed.client() as c:
        text = c.get("/metrics").text
    assert 'handler="/solve"' in text and 'status="200"' in text
    for stage in ("generate", "score", "select"):
        assert f'bon_stage_seconds_count{{stage="{stage}"}}' in text
    assert "bon_chains_sampled_total" in text and "bon_tokens_generated_total" in text
    assert "bon_tokens_scored_total" in text


CANARY = "CANARY-7f3a9e"


class CanaryGenerator:
    """The real generator, with a canary planted in every raw chain it returns."""

    def __init__(self, inner: Generator) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def generate(self, request: SamplingRequest, request_id: str) -> Generation:
        gen = await self._inner.generate(request, request_id)
        chains = [replace(c, text=f"{CANARY}\n{c.text}") for c in gen.chains]
        return replace(gen, chains=chains)

    async def stream(self, request: SamplingRequest, request_id: str) -> AsyncGenerator[ChainDelta, None]:
        planted: set[int] = set()
        async with aclosing(self._inner.stream(request, request_id)) as deltas:
            async for delta in deltas:
                if delta.index not in planted:
                    planted.add(delta.index)
                    delta = replace(delta, text=f"{CANARY}\n{delta.text}")
                yield delta

    def sampler(
        self,
        request: SamplingRequest,
        request_id: str,
        tools: Interjector | None = None,
        notes: Notes | None = None,
    ) -> CanarySampler:
        return CanarySampler(self._inner.sampler(request, request_id, tools, notes))


class CanarySampler:
    """The real sampler (adaptive search), with the canary in each chain's first delta."""

    def __init__(self, inner: ChainSampler) -> None:
        self._inner = inner
        self.launch, self.abort, self.aclose = inner.launch, inner.abort, inner.aclose

    @property
    def launched(self) -> int:
        return self._inner.launched

    async def __aiter__(self) -> AsyncIterator[ChainDelta]:
        planted: set[int] = set()
        async for delta in self._inner:
            if delta.index not in planted:
                planted.add(delta.index)
                delta = replace(delta, text=f"{CANARY}\n{delta.text}")
            yield delta


def test_no_raw_chain_leaks_into_responses_errors_or_logs(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = live_server.app
    real: SolveService = app.state.api.solve_service
    engines = app.state.api.engine_loader.value
    app.state.api.solve_service = solve_service(
        CanaryGenerator(engines.generator),
        engines.scorer,
        engines.outcome_scorer,
        engines.generator_format,
        timeout_s=300,
        max_concurrent=8,
        metrics=app.state.api.metrics,
    )
    bodies = []
    try:
        with caplog.at_level(logging.INFO), live_server.client() as c:
            for body in [
                {"problem": "((37+48)*3)-12", "n": 8, "seed": 1},
                {"problem": "((37+48)*3)-12", "n": 8, "selection": "orm_max"},
                {"problem": "((37+48)*3)-12", "n": 8, "selection": "majority_vote"},
                {"problem": "((37+48)*3)-12", "n": 16, "strategy": "adaptive", "seed": 2},
            ]:
                r = c.post("/solve", json=body)
                assert r.status_code == 200, r.text
                bodies.append(r.text)
                streamed = c.post("/solve", json=body | {"stream": True})
                assert streamed.status_code == 200 and "event: result" in streamed.text
                bodies.append(streamed.text)
            chat = {"model": "arith-generator", "messages": [{"role": "user", "content": "1+2"}], "stream": True}
            bodies.append(c.post("/v1/chat/completions", json=chat).text)
            ask = {"model": "arith-generator", "input": "1+2", "reasoning": {"summary": "detailed"}, "stream": True}
            bodies.append(c.post("/v1/responses", json=ask).text)
            bodies.append(c.post("/solve", json={"problem": " ", "n": 8}).text)
            bodies.append(c.get("/metrics").text)
    finally:
        app.state.api.solve_service = real
    for text in bodies:
        assert CANARY not in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "solved n=8" in logged  # the log was captured, and it does not hold the chain
    assert CANARY not in logged
