"""Orchestration of the pipeline, with scripted engines (the engines themselves are tested for real
in tests/e2e). These check what the service does around them: validation, timeouts, overload."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from prometheus_client import CollectorRegistry

from app.descriptor import ModelDescriptor
from app.engines.protocols import Generation, SampledChain, SamplingRequest, StepScores
from app.errors import DeadlineExceeded, InvalidRequest, Overloaded, ProblemTooLong
from app.observability import PipelineMetrics
from app.service.solve import SolveParams, SolveService

DESCRIPTOR = ModelDescriptor(
    kind="generator", task="arith", prompt_template="Q:{problem}\n", answer_prefix="A:", max_model_len=64
)


class ScriptedGenerator:
    def __init__(self, chains: list[str], delay: float = 0.0) -> None:
        self.chains, self.delay, self.requests = chains, delay, []  # type: ignore[var-annotated]

    @property
    def max_model_len(self) -> int:
        return 64

    def count_tokens(self, text: str) -> int:
        return len(text) + 1

    async def generate(self, request: SamplingRequest, request_id: str) -> Generation:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        chains = [SampledChain(self.chains[i % len(self.chains)], 10, "stop") for i in range(request.n)]
        return Generation(prompt_tokens=5, chains=chains)

    async def check(self) -> None: ...

    async def close(self) -> None: ...


class RightIfAnswerIs:
    """Scores every step of chains whose last step is `good` high, others low."""

    def __init__(self, good: str) -> None:
        self.good = good

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores:
        per_chain = [[0.9 if steps[-1] == self.good else 0.2] * len(steps) for steps in chains]
        return StepScores(per_chain, tokens_scored=7 * len(chains))

    async def check(self) -> None: ...

    async def close(self) -> None: ...


def service(gen: ScriptedGenerator, orm: bool = False, timeout: float = 5.0, slots: int = 4) -> SolveService:
    return SolveService(
        gen,
        RightIfAnswerIs("A:25"),
        RightIfAnswerIs("A:25") if orm else None,
        DESCRIPTOR,
        max_n=16,
        timeout_s=timeout,
        max_concurrent=slots,
        metrics=PipelineMetrics(CollectorRegistry()),
    )


def params(**kw: object) -> SolveParams:
    base: dict[str, object] = dict(
        problem="(10+20)-5",
        n=4,
        temperature=1.0,
        max_tokens=20,
        seed=None,
        aggregation="min",
        selection="prm_weighted_vote",
    )
    return SolveParams(**(base | kw))  # type: ignore[arg-type]


WRONG_MAJORITY = ["10+20=30\n30-5=24\nA:24", "10+20=30\n30-5=25\nA:25"]  # 24 appears as often as 25


def test_the_prm_outvotes_an_equally_common_wrong_answer() -> None:
    out = asyncio.run(service(ScriptedGenerator(WRONG_MAJORITY)).solve(params(), "r1"))
    assert out.answer == "25"
    assert out.clusters[0].answer == "25" and out.clusters[0].count == 2
    assert out.winner_step_scores == [0.9, 0.9, 0.9]
    assert out.usage.reasoning_tokens == 40 and out.usage.scored_tokens == 28
    assert "25" in out.summary and "30-5=25" not in out.summary
    assert len(out.chains) == 4  # kept server-side


def test_sampling_request_carries_the_prompt_template_and_seed() -> None:
    gen = ScriptedGenerator(WRONG_MAJORITY)
    asyncio.run(service(gen).solve(params(seed=9, n=3), "r"))
    assert gen.requests[0].prompt == "Q:(10+20)-5\n" and gen.requests[0].seed == 9 and gen.requests[0].n == 3


@pytest.mark.parametrize(
    ("kw", "error", "needle"),
    [
        ({"n": 17}, InvalidRequest, "limit of 16"),
        ({"selection": "orm_max"}, InvalidRequest, "outcome reward model"),
        ({"temperature": 0.0, "n": 4}, InvalidRequest, "greedily"),
        ({"max_tokens": 64}, InvalidRequest, "context of 64"),
        ({"problem": "9" * 50}, ProblemTooLong, "tokens"),
        ({"problem": "  "}, InvalidRequest, "empty"),
    ],
)
def test_validation(kw: dict[str, object], error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        asyncio.run(service(ScriptedGenerator(WRONG_MAJORITY)).solve(params(**kw), "r"))


def test_orm_max_uses_the_outcome_scorer() -> None:
    out = asyncio.run(service(ScriptedGenerator(WRONG_MAJORITY), orm=True).solve(params(selection="orm_max"), "r"))
    assert out.answer == "25" and out.chains[0].outcome_score is not None


def test_deadline() -> None:
    with pytest.raises(DeadlineExceeded):
        asyncio.run(service(ScriptedGenerator(WRONG_MAJORITY, delay=1.0), timeout=0.1).solve(params(), "r"))


def test_overload_is_refused_not_queued() -> None:
    svc = service(ScriptedGenerator(WRONG_MAJORITY, delay=0.3), slots=1)

    async def two() -> list[object]:
        return await asyncio.gather(svc.solve(params(), "a"), svc.solve(params(), "b"), return_exceptions=True)

    results = asyncio.run(two())
    assert sum(isinstance(r, Overloaded) for r in results) == 1
