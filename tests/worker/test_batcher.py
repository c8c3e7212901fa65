"""The worker's dynamic batching, on a fake batch scorer: requests that arrive while the engine is
busy go to it together, an invalid item fails alone, a failed batch does not stop the loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from app.engines.protocols import StepScores
from app.errors import EngineError, InvalidRequest
from app.web.request_id import request_id_var
from app.worker.batcher import ScoreBatcher
from tests.fakes import ArithmeticScorer

T = TypeVar("T")
CHAIN = ["37+48=85", "85*3=255", "A:255"]


def run(scorer: ArithmeticScorer, body: Callable[[ScoreBatcher], Awaitable[T]], **kw: object) -> tuple[T, list[int]]:
    """Run `body` against a started batcher; returns its result and the batch sizes seen."""
    sizes: list[int] = []

    async def main() -> T:
        batcher = ScoreBatcher(scorer, "reward", on_batch=sizes.append, **kw)  # type: ignore[arg-type]
        batcher.start()
        try:
            return await body(batcher)
        finally:
            await batcher.stop()

    return asyncio.run(main()), sizes


def test_requests_arriving_while_the_engine_is_busy_share_one_call() -> None:
    scorer = ArithmeticScorer(delay=0.05)

    async def body(batcher: ScoreBatcher) -> list[StepScores]:
        first = asyncio.create_task(batcher.score("p0", [CHAIN] * 2))
        await asyncio.sleep(0.01)  # the engine is busy with the first request
        rest = await asyncio.gather(*(batcher.score(f"p{i}", [CHAIN] * 2) for i in range(1, 9)))
        return [await first, *rest]

    results, sizes = run(scorer, body)
    assert all(r.per_chain == [[0.95, 0.95, 0.9]] * 2 for r in results)
    assert sizes == [1, 8] and scorer.batches == sizes


def test_a_batch_stops_growing_at_its_chain_limit() -> None:
    async def body(batcher: ScoreBatcher) -> list[StepScores]:
        return await asyncio.gather(*(batcher.score(f"p{i}", [CHAIN] * 3) for i in range(8)))

    _, sizes = run(ArithmeticScorer(delay=0.05), body, max_batch_chains=6)
    assert sum(sizes) == 8 and max(sizes) <= 2


def test_an_invalid_item_fails_alone() -> None:
    async def body(batcher: ScoreBatcher) -> list[StepScores | BaseException]:
        await asyncio.sleep(0)
        return await asyncio.gather(
            batcher.score("fine", [CHAIN]), batcher.score("reject me", [CHAIN]), return_exceptions=True
        )

    (good, bad), _ = run(ArithmeticScorer(), body)
    assert isinstance(good, StepScores) and isinstance(bad, InvalidRequest)


def test_a_failed_batch_fails_its_requests_and_the_next_ones_are_served() -> None:
    scorer = ArithmeticScorer()

    async def body(batcher: ScoreBatcher) -> tuple[BaseException | StepScores, StepScores]:
        scorer.failure = EngineError("reward", "scoring failed: the engine died")
        first = (await asyncio.gather(batcher.score("p", [CHAIN]), return_exceptions=True))[0]
        scorer.failure = None
        return first, await batcher.score("p", [CHAIN])

    (first, second), sizes = run(scorer, body)
    assert isinstance(first, EngineError) and "engine died" in first.message
    assert second.per_chain == [[0.95, 0.95, 0.9]] and sizes == [1, 1]


def test_an_unexpected_exception_becomes_an_engine_error_naming_the_service() -> None:
    class Broken(ArithmeticScorer):
        async def score_many(self, items: object, request_id: str) -> list[StepScores | object]:  # type: ignore[override]
            raise RuntimeError("CUDA error")

    async def body(batcher: ScoreBatcher) -> StepScores:
        return await batcher.score("p", [CHAIN])

    with pytest.raises(EngineError, match="reward: scoring failed: CUDA error"):
        run(Broken(), body)


def test_a_request_whose_client_left_is_not_scored() -> None:
    scorer = ArithmeticScorer(delay=0.05)

    async def body(batcher: ScoreBatcher) -> StepScores:
        busy = asyncio.create_task(batcher.score("first", [CHAIN]))
        await asyncio.sleep(0.01)  # the engine is busy with `first`
        gone = asyncio.create_task(batcher.score("gone", [CHAIN]))
        await asyncio.sleep(0)
        gone.cancel()
        kept = await batcher.score("kept", [CHAIN])
        await busy
        return kept

    kept, sizes = run(scorer, body)
    assert kept.per_chain == [[0.95, 0.95, 0.9]] and sizes == [1, 1]  # "gone" never reached the engine


def test_a_failed_batch_is_logged_with_the_ids_of_the_requests_it_served(caplog: pytest.LogCaptureFixture) -> None:
    scorer = ArithmeticScorer(failure=EngineError("reward", "scoring failed: the engine died"))

    async def body(batcher: ScoreBatcher) -> list[StepScores | BaseException]:
        request_id_var.set("api-req-1")
        return await asyncio.gather(batcher.score("p", [CHAIN]), return_exceptions=True)

    with caplog.at_level(logging.ERROR, logger="app.worker.batcher"):
        run(scorer, body)
    assert "reward-batch0 failed; requests api-req-1" in caplog.text
