"""The fixed strategy's schedules on fake engines: a batch is one generator request and one reward
call, and answers what the streamed schedules answer; a watched request streams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry

from app.core.schedule import StepScoring
from app.engines.replicas import ReplicaPool
from app.service.events import Finished, Progress, SolveEvent
from app.service.outcome import SolveOutcome
from app.service.params import SolveParams
from app.service.pipeline_metrics import PipelineMetrics
from tests.fakes import FORMAT, PROBLEM, RIGHT, UNFINISHED, WRONG, ArithmeticScorer, FakeGenerator
from tests.services import solve_service

PARAMS = SolveParams(
    problem=PROBLEM, n=5, temperature=1.0, max_tokens=40, seed=3, aggregation="min", selection="prm_weighted_vote"
)
CHAINS = [WRONG, RIGHT, WRONG, UNFINISHED, RIGHT]


class RemoteArithmeticScorer(ArithmeticScorer):
    """The fake reward model, as the split deployment's adapter presents itself (`Replicated`)."""

    def pinned(self, key: str) -> RemoteArithmeticScorer:
        return self

    def replicas(self) -> ReplicaPool:
        raise AssertionError("no request asks for the pool")


class Counted:
    def __init__(self, setting: StepScoring, orm: bool = False, remote: bool = False) -> None:
        self.gen = FakeGenerator(list(CHAINS))
        self.prm = RemoteArithmeticScorer() if remote else ArithmeticScorer()
        self.orm = ArithmeticScorer() if orm else None
        self.metrics = PipelineMetrics(CollectorRegistry())
        self.service = solve_service(self.gen, self.prm, self.orm, FORMAT, step_scoring=setting, metrics=self.metrics)

    def sampled(self, schedule: str) -> float:
        return self.metrics.sampled.labels(schedule)._value.get()


def solved(
    setting: StepScoring, params: SolveParams = PARAMS, orm: bool = False, remote: bool = False
) -> tuple[SolveOutcome, Counted]:
    counted = Counted(setting, orm, remote)
    return asyncio.run(counted.service.solve(params, "r1")), counted


def test_an_unwatched_request_to_a_remote_reward_model_is_one_generator_request_and_one_reward_call() -> None:
    out, counted = solved("auto", remote=True)
    assert len(counted.gen.requests) == 1 and counted.gen.requests[0].n == PARAMS.n
    assert counted.prm.chains_seen == [4]  # the one cut off by its budget is not scored
    assert counted.sampled("batch") == 1 and counted.sampled("finished") == 0
    assert out.answer == "243" and out.usage.scored_tokens > 0


@pytest.mark.parametrize("streamed", ["finished", "steps"])
def test_a_batch_answers_what_a_streamed_schedule_answers(streamed: StepScoring) -> None:
    for params in (PARAMS, replace(PARAMS, selection="orm_max"), replace(PARAMS, aggregation="last")):
        batch, _ = solved("batch", params, orm=True)
        live, _ = solved(streamed, params, orm=True)
        assert batch.answer == live.answer and batch.clusters == live.clusters
        assert [c.step_scores for c in batch.chains] == [c.step_scores for c in live.chains]
        assert [c.outcome_score for c in batch.chains] == [c.outcome_score for c in live.chains]
        assert [c.finish_reason for c in batch.chains] == [c.finish_reason for c in live.chains]
        assert batch.usage.reasoning_tokens == live.usage.reasoning_tokens


async def events_of(counted: Counted) -> list[SolveEvent]:  # a streamed POST /solve
    stream: AsyncIterator[SolveEvent] = counted.service.stream(PARAMS, "r2", progress=True)
    return [event async for event in stream]


def test_an_unwatched_request_to_a_reward_model_in_process_is_streamed() -> None:
    out, counted = solved("auto")
    assert counted.sampled("finished") == 1 and counted.sampled("batch") == 0
    assert out.answer == "243"


def test_a_watched_request_streams_its_chains_and_sees_them_end() -> None:
    counted = Counted("auto", remote=True)
    counted.gen.delay = 0.3  # long enough for a progress event while the chains decode
    events = asyncio.run(events_of(counted))
    assert counted.sampled("finished") == 1 and counted.sampled("batch") == 0
    assert counted.gen.requests[0].stream_interval is None  # the fake's service sets none
    finished = [e.chains_finished for e in events if isinstance(e, Progress)]
    assert finished[0] == 0 and finished[-1] == 4 and isinstance(events[-1], Finished)
    assert len(finished) > 2  # and some while they decoded


def test_a_batch_asked_for_by_name_still_reports_progress_at_its_end() -> None:
    events = asyncio.run(events_of(Counted("batch")))
    progress = [e for e in events if isinstance(e, Progress)]
    assert [p.chains_finished for p in progress] == [0, 4] and progress[-1].steps_scored > 0


def test_the_adaptive_search_keeps_its_own_driver() -> None:
    out, counted = solved("auto", replace(PARAMS, strategy="adaptive"))
    assert counted.sampled("adaptive") == 1 and counted.sampled("batch") == 0
    assert out.answer is not None
