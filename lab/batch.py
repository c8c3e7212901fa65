"""Run many problems through an engine at once (evaluation, training data), with a progress bar.

Requests go to the engine concurrently so that vLLM's continuous batching fills each step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from tqdm import tqdm

from app.engines.protocols import Generation, Generator, SamplingRequest, StepScorer, StepScores

T = TypeVar("T")
R = TypeVar("R")


async def run_all(items: Sequence[T], work: Callable[[int, T], Awaitable[R]], concurrency: int, desc: str) -> list[R]:
    sem = asyncio.Semaphore(concurrency)
    results: list[R | None] = [None] * len(items)
    bar = tqdm(total=len(items), desc=desc, unit="problem", mininterval=2.0)

    async def one(i: int, item: T) -> None:
        async with sem:
            results[i] = await work(i, item)
        bar.update()

    try:
        await asyncio.gather(*(one(i, item) for i, item in enumerate(items)))
    finally:
        bar.close()
    return [r for r in results if r is not None]


async def generate_all(
    generator: Generator, requests: Sequence[SamplingRequest], desc: str, concurrency: int = 64, tag: str = "gen"
) -> list[Generation]:
    return await run_all(requests, lambda i, req: generator.generate(req, f"{tag}-{i}"), concurrency, desc)


async def score_all(
    scorer: StepScorer,
    problems: Sequence[str],
    chains: Sequence[Sequence[Sequence[str]]],
    desc: str,
    concurrency: int = 16,
    tag: str = "score",
) -> list[StepScores]:
    pairs = list(zip(problems, chains, strict=True))
    return await run_all(pairs, lambda i, pc: scorer.score(pc[0], pc[1], f"{tag}-{i}"), concurrency, desc)
