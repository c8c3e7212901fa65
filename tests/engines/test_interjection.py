"""A chain with tools, on the fake generator: paused at each trigger, the tool's result appended,
decoded on from there with what is left of its budget and a seed of its own, and stopped whole
(a tool call in flight included) when it is aborted."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from app.core.votes import ABORTED
from app.engines.chain_sampler import all_chains
from app.engines.interjection import SEGMENT_SEED_STRIDE
from app.engines.protocols import ChainDelta, SamplingRequest
from app.tools.belt import ToolBelt, ToolRunners
from app.tools.calculator import calculate
from app.tools.calls import ToolResult
from tests.fakes import FORMAT, RIGHT, WRONG, FakeGenerator

WRONG_THEN_RIGHT = [WRONG, RIGHT]  # seed 0 picks the wrong one; the calculator's values lead to the right one


async def calculator(code: str) -> ToolResult:
    return calculate(code)


def belt(max_calls: int = 64, runner: object = calculator) -> ToolBelt:
    return ToolBelt(["calculator"], ToolRunners({"calculator": runner}), FORMAT, max_calls)  # type: ignore[dict-item]


def sampled(gen: FakeGenerator, request: SamplingRequest, tools: ToolBelt) -> list[ChainDelta]:
    async def run() -> list[ChainDelta]:
        return [d async for d in all_chains(gen.sampler(request, "r", tools), request.n)]

    return asyncio.run(run())


def text_of(deltas: Sequence[ChainDelta], index: int = 0) -> str:
    return "".join(d.text for d in deltas if d.index == index)


def test_the_calculator_writes_each_steps_value_and_the_chain_goes_on_from_it() -> None:
    gen = FakeGenerator(chains=WRONG_THEN_RIGHT)
    deltas = sampled(gen, SamplingRequest("Q:p\n", 1, 1.0, 160, seed=0), belt())
    assert text_of(deltas) == RIGHT  # 85*3 is 255, whatever the chain would have written
    calls = [d.call for d in deltas if d.call is not None]
    written = [(c.code, c.written, c.step) for c in calls]
    # The answer line is filled too: the last result is what the chain would copy.
    assert written == [("37+48", "85\n", 0), ("85*3", "255\n", 1), ("255-12", "243\n", 2), ("243", "243", 3)]
    assert all(d.tokens == 0 for d in deltas if d.call is not None)  # the model did not write them
    assert sum(d.tokens for d in deltas) == len("37+48=85*3=255-12=A:")
    assert deltas[-1].finish_reason == "stop"


def test_each_segment_samples_with_its_own_seed_and_what_is_left_of_the_budget() -> None:
    gen = FakeGenerator(chains=WRONG_THEN_RIGHT)
    sampled(gen, SamplingRequest("Q:p\n", 1, 1.0, 160, seed=5), belt())
    assert [r.seed for r in gen.requests] == [5 + k * SEGMENT_SEED_STRIDE for k in range(5)]
    assert [r.max_tokens for r in gen.requests] == [160, 154, 149, 142, 140]


def test_a_chain_whose_budget_runs_out_ends_at_its_length_and_calls_no_more() -> None:
    gen = FakeGenerator(chains=[RIGHT])
    deltas = sampled(gen, SamplingRequest("Q:p\n", 1, 1.0, 9, seed=0), belt())
    assert text_of(deltas) == "37+48=85\n85*" and deltas[-1].finish_reason == "length"
    assert sum(d.call is not None for d in deltas) == 1


def test_a_chain_that_fills_the_context_ends_at_its_length() -> None:
    gen = FakeGenerator(chains=[RIGHT], context=14)  # a 5-token prompt, 9 for the chain and its appended text
    deltas = sampled(gen, SamplingRequest("Q:p\n", 1, 1.0, 160, seed=0), belt())
    assert deltas[-1].finish_reason == "length" and len(text_of(deltas)) <= 9


def test_calls_over_the_requests_limit_leave_the_chain_to_write_its_own_values() -> None:
    gen = FakeGenerator(chains=[WRONG])
    deltas = sampled(gen, SamplingRequest("Q:p\n", 1, 1.0, 160, seed=0), belt(max_calls=1))
    assert text_of(deltas) == WRONG
    assert [d.call.result.outcome for d in deltas if d.call is not None] == ["ok", "refused", "refused", "refused"]


def test_aborting_a_chain_cancels_its_tool_call_in_flight() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def hanging(code: str) -> ToolResult:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("unreachable")

    async def run() -> list[ChainDelta]:
        request = SamplingRequest("Q:p\n", 1, 1.0, 160)
        sampler = FakeGenerator(chains=[RIGHT]).sampler(request, "r", belt(runner=hanging))
        sampler.launch(1)
        deltas = []
        async for delta in sampler:
            deltas.append(delta)
            if started.is_set() and not delta.finish_reason:
                sampler.abort(0)
        await asyncio.wait_for(cancelled.wait(), 1)
        return deltas

    deltas = asyncio.run(run())
    assert deltas[-1].finish_reason == ABORTED
