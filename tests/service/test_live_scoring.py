"""Scoring while the chains decode: what reaches the response is the score of each chain's final
steps; partial versions coalesce while a call is in flight; a finished chain is never made to
wait behind partial work; the scorer's failure is the request's."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from app.engines.protocols import StepScores
from app.errors import EngineUnavailable
from app.service.live_scoring import LiveScorer
from tests.fakes import PROBLEM, ArithmeticScorer


class RecordingScorer(ArithmeticScorer):
    """Records every call's chains; each call takes `delay` seconds."""

    def __init__(self, delay: float = 0.0, failure: EngineUnavailable | None = None) -> None:
        super().__init__(failure=failure, delay=delay)
        self.calls: list[list[list[str]]] = []

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores:
        self.calls.append([list(c) for c in chains])
        return await super().score(problem, chains, request_id)


STEPS = ["37+48=85", "85*3=255", "255-12=243", "A:243"]


def test_the_final_steps_are_what_is_scored_and_a_repeat_is_not_sent_again() -> None:
    async def scenario() -> tuple[StepScores, RecordingScorer]:
        scorer = RecordingScorer()
        live = LiveScorer(scorer, PROBLEM, 2, "r")
        live.update(0, STEPS[:1])
        await asyncio.sleep(0.01)
        live.update(0, STEPS[:3])
        await asyncio.sleep(0.01)
        live.finish(0, STEPS[:3])  # read already: not sent again
        live.finish(1, STEPS)
        return await live.result(), scorer

    result, scorer = asyncio.run(scenario())
    assert scorer.calls == [[STEPS[:1]], [STEPS[:3]], [STEPS]]
    assert result.per_chain == [[0.95, 0.95, 0.95], [0.95, 0.95, 0.95, 0.9]] and result.unread == ()
    assert result.tokens_scored > 0


def test_partial_versions_coalesce_while_a_call_is_in_flight_but_a_finished_chain_goes_at_once() -> None:
    async def scenario() -> RecordingScorer:
        scorer = RecordingScorer(delay=0.05)
        live = LiveScorer(scorer, PROBLEM, 3, "r")
        live.update(0, STEPS[:1])
        live.update(1, STEPS[:1])
        live.update(1, STEPS[:2])  # supersedes the version before it, which is never sent
        await asyncio.sleep(0.01)
        assert scorer.calls == [[STEPS[:1], STEPS[:2]]]  # one burst, one call
        live.update(0, STEPS[:2])  # waits: a call is in flight
        live.finish(2, STEPS)  # does not wait
        await asyncio.sleep(0.01)
        assert scorer.calls[1:] == [[STEPS]]
        live.finish(0, STEPS)
        live.finish(1, None)  # cut off: its partial version is not waited for, nor scored
        result = await live.result()
        assert result.per_chain[1] == [] and len(result.per_chain[0]) == 4
        return scorer

    scorer = asyncio.run(scenario())
    assert [STEPS[:2]] not in scorer.calls[2:] and [STEPS] in scorer.calls[2:]


def test_an_outcome_scorer_reads_finished_chains_only() -> None:
    async def scenario() -> RecordingScorer:
        scorer = RecordingScorer()
        live = LiveScorer(scorer, PROBLEM, 1, "r", partial=False)
        live.update(0, STEPS[:2])
        live.finish(0, STEPS)
        await live.result()
        return scorer

    assert asyncio.run(scenario()).calls == [[STEPS]]


def test_a_chain_too_long_to_read_comes_back_unread() -> None:
    async def scenario() -> StepScores:
        live = LiveScorer(ArithmeticScorer(read_limit=20), PROBLEM, 2, "r")
        live.finish(0, STEPS)
        live.finish(1, STEPS[:1])
        return await live.result()

    result = asyncio.run(scenario())
    assert result.unread == (0,) and result.per_chain == [[], [0.95]]


def test_the_scorers_failure_is_the_requests_and_closing_stops_calls_in_flight() -> None:
    async def failing() -> None:
        live = LiveScorer(RecordingScorer(failure=EngineUnavailable("reward", "cannot reach it")), PROBLEM, 1, "r")
        live.finish(0, STEPS)
        await live.result()

    with pytest.raises(EngineUnavailable, match="cannot reach"):
        asyncio.run(failing())

    async def closing() -> bool:
        live = LiveScorer(RecordingScorer(delay=10), PROBLEM, 1, "r")
        live.finish(0, STEPS)
        await asyncio.sleep(0)
        calls = set(live._calls)
        await live.aclose()
        return all(call.cancelled() for call in calls) and bool(calls)

    assert asyncio.run(closing())
