"""Fake engines for the fast tier: scripted, instant, no vLLM.

They stand in for the engines where the engine itself is not under test (routes, translation,
orchestration, batching). They never count as testing an engine: the real vLLM engines are
tested end to end in tests/e2e.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.engines.chain_sampler import TaskChainSampler
from app.engines.container import Engines
from app.engines.interjection import interjected_sampler
from app.engines.notes import Notes
from app.engines.protocols import (
    ChainDelta,
    ChatMessage,
    Generation,
    SampledChain,
    SamplingRequest,
    SegmentDelta,
    StepDraft,
    StepScores,
)
from app.errors import BonError, InvalidRequest
from app.formats.arith import parse_step
from app.formats.resolve import load_preset
from app.formats.spec import GeneratorFormat
from app.main import create_app
from app.tools.calls import Interjector

# The shipped generator's format: the fakes are read as the real one is.
ARITH = load_preset("arith").generator
assert ARITH is not None
FORMAT: GeneratorFormat = ARITH
CONTEXT = 256  # the shipped generator's

PROBLEM = "((37+48)*3)-12"
RIGHT = "37+48=85\n85*3=255\n255-12=243\nA:243"
WRONG = "37+48=85\n85*3=245\n245-12=233\nA:233"
UNFINISHED = "37+48=85\n85*3=255"


def char_tokens(text: str) -> int:
    """What the shipped character tokenizer counts: one token a character, and a BOS."""
    return len(text) + 1


def _chain_index(segment_id: str) -> int:
    """The chain a segment belongs to, from its engine request id ("<request>-<chain>[.<k>]")."""
    return int(segment_id.rsplit("-", 1)[-1].split(".")[0])


@dataclass
class FakeGenerator:
    """Samples the scripted chains in turn; `failure` makes every call raise it."""

    chains: list[str] = field(default_factory=lambda: [RIGHT, RIGHT, WRONG])
    # Chains a segment may go on along (after a tool's result or a client's note), never one a
    # chain starts as.
    continuations: list[str] = field(default_factory=list)
    cut_off: tuple[str, ...] = (UNFINISHED,)  # chains that end at their token budget
    context: int = CONTEXT
    delay: float = 0.0
    pace: float | None = None  # seconds a streamed delta, whatever the chain's length (else `delay` spread)
    failure: BonError | None = None
    requests: list[SamplingRequest] = field(default_factory=list)
    closed: bool = False
    piece: int = 4  # characters a streamed delta carries
    running: int = 0  # chains streaming now
    stopped: int = 0  # chains whose reader went away before they finished

    async def context_length(self) -> int:
        return self.context

    def count_tokens(self, text: str, templated: bool = False) -> int:
        return char_tokens(text) - templated  # a template writes its own BOS

    def token_ids(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def chat_prompt(self, messages: Sequence[ChatMessage]) -> str:
        """A ChatML rendering, as a Qwen chat template writes it."""
        return "".join(f"<|im_start|>{role}\n{content}<|im_end|>\n" for role, content in messages) + (
            "<|im_start|>assistant\n"
        )

    async def generate(self, request: SamplingRequest, request_id: str) -> Generation:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        texts = [self.chains[i % len(self.chains)] for i in range(request.n)]
        chains = [SampledChain(t, char_tokens(t) - 1, "length" if t in self.cut_off else "stop") for t in texts]
        return Generation(prompt_tokens=self.count_tokens(request.prompt), chains=chains)

    async def stream(self, request: SamplingRequest, request_id: str) -> AsyncGenerator[ChainDelta, None]:
        """The scripted chains, `piece` characters at a time, round-robin across chains (`delay`
        spread over the rounds)."""
        self.requests.append(request)
        if self.failure is not None:
            raise self.failure
        texts = [self.chains[i % len(self.chains)] for i in range(request.n)]
        rounds = max(len(t) for t in texts) // self.piece + 1
        left = set(range(request.n))
        self.running += request.n
        try:
            for r in range(rounds):
                await asyncio.sleep(self.delay / rounds)
                for i, text in enumerate(texts):
                    if i not in left:
                        continue
                    piece = text[r * self.piece : (r + 1) * self.piece]
                    end = (r + 1) * self.piece >= len(text)
                    finish = ("length" if text in self.cut_off else "stop") if end else None
                    if end:
                        left.discard(i)
                        self.running -= 1
                    yield ChainDelta(i, piece, len(piece), finish)  # a character a token
        finally:
            self.stopped += len(left)
            self.running -= len(left)

    def sampler(
        self,
        request: SamplingRequest,
        request_id: str,
        tools: Interjector | None = None,
        notes: Notes | None = None,
    ) -> TaskChainSampler:
        """Chain i is the i-th scripted chain (cycling), `piece` characters a delta, `delay` spread
        over its pieces. With tools, chains are decoded in segments (`segment`)."""
        if tools is not None or notes is not None:
            spelling = lambda text, _: tuple(map(ord, text))  # noqa: E731
            return interjected_sampler(self, request, request_id, tools, spelling, notes)
        self.requests.append(request)

        async def chain(i: int) -> AsyncIterator[ChainDelta]:
            if self.failure is not None:
                raise self.failure
            text = self.chains[i % len(self.chains)]
            pieces = [text[k : k + self.piece] for k in range(0, len(text), self.piece)] or [""]
            self.running += 1
            ended = False
            try:
                for k, piece in enumerate(pieces):
                    await asyncio.sleep(self._wait(len(pieces)))
                    ended = k == len(pieces) - 1
                    finish = ("length" if text in self.cut_off else "stop") if ended else None
                    yield ChainDelta(i, piece, len(piece), finish)
            finally:
                self.running -= 1
                self.stopped += not ended

        return TaskChainSampler(chain, "generator", request_id)

    def _wait(self, pieces: int) -> float:
        return self.pace if self.pace is not None else self.delay / pieces

    async def segment(
        self, request: SamplingRequest, prefix: Sequence[int], stops: Sequence[str], request_id: str
    ) -> AsyncGenerator[SegmentDelta, None]:
        """Goes on along the first scripted chain that begins with the prefix, to the first of
        `stops` or its end, `piece` characters a delta (nothing, where no chain fits)."""
        self.requests.append(request)
        if self.failure is not None:
            raise self.failure
        written = "".join(map(chr, prefix))
        fitting = [c for c in [*self.chains, *self.continuations] if c.startswith(written)]
        chain = fitting[(request.seed or 0) % len(fitting)] if fitting else written
        if not written:  # a chain's first segment: the scripted chain the plain sampler gives it
            chain = self.chains[_chain_index(request_id) % len(self.chains)]
        rest = chain[len(written) :]
        cuts = [(rest.find(stop) + len(stop), stop) for stop in stops if rest.find(stop) >= 0]
        cut, stop = min(cuts) if cuts else (len(rest), None)
        text, finish = rest[:cut], "stop" if stop is not None else ("length" if chain in self.cut_off else "stop")
        if len(text) > request.max_tokens:
            text, finish, stop = text[: request.max_tokens], "length", None
        pieces = [text[k : k + self.piece] for k in range(0, len(text), self.piece)] or [""]
        self.running += 1
        last = False
        try:
            for k, piece in enumerate(pieces):
                await asyncio.sleep(self._wait(len(pieces)))
                last = k == len(pieces) - 1
                yield SegmentDelta(piece, tuple(map(ord, piece)), finish if last else None, stop if last else None)
        finally:
            self.running -= 1
            self.stopped += not last

    async def next_steps(
        self, request: SamplingRequest, prefix: Sequence[int], step_end: str, request_id: str
    ) -> list[StepDraft]:
        """Step j goes on along the ((seed or 0) + j)-th scripted chain (cycling) of those that begin
        with the prefix, to its next `step_end` or its end; `delay` before they come."""
        self.requests.append(request)
        self.running += request.n
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.running -= request.n
        if self.failure is not None:
            raise self.failure
        written = "".join(map(chr, prefix))
        fitting = [c for c in self.chains if c.startswith(written)] or [written]
        return [
            self._next_step(fitting[((request.seed or 0) + j) % len(fitting)], written, request, step_end)
            for j in range(request.n)
        ]

    def _next_step(self, chain: str, written: str, request: SamplingRequest, step_end: str) -> StepDraft:
        rest = chain[len(written) :]
        cut = rest.find(step_end)
        text, finish = (
            (rest[: cut + len(step_end)], None) if cut >= 0 else (rest, "length" if chain in self.cut_off else "stop")
        )
        if len(text) > request.max_tokens:
            text, finish = text[: request.max_tokens], "length"
        return StepDraft(text, tuple(map(ord, text)), len(text), finish)

    async def check(self) -> None:
        if self.failure is not None:
            raise self.failure

    async def close(self) -> None:
        self.closed = True


@dataclass
class ArithmeticScorer:
    """A step scorer that checks each step's arithmetic: 0.95 when it holds, 0.05 when it does not,
    0.9 for any other step. Also a batch scorer (the worker's `score_many`); a problem containing
    `reject` is refused as invalid input, alone."""

    failure: BonError | None = None
    delay: float = 0.0
    read_limit: int | None = None  # chains with more characters than this are too long to read
    context: int = CONTEXT
    batches: list[int] = field(default_factory=list)  # items per score_many call
    chains_seen: list[int] = field(default_factory=list)  # chains per score call
    closed: bool = False

    @staticmethod
    def step_score(step: str) -> float:
        op = parse_step(step)
        if op is None:
            return 0.9
        value = {"+": op.left + op.right, "-": op.left - op.right, "*": op.left * op.right}[op.op]
        return 0.95 if value == op.result else 0.05

    def _scores(self, problem: str, chains: Sequence[Sequence[str]]) -> StepScores:
        if "reject" in problem:
            raise InvalidRequest("a chain to score has 999 tokens; the reward model reads at most 256")
        self.chains_seen.append(len(chains))
        unread = [i for i, c in enumerate(chains) if self.read_limit is not None and len("".join(c)) > self.read_limit]
        per_chain = [[] if i in unread else [self.step_score(s) for s in steps] for i, steps in enumerate(chains)]
        tokens = sum(char_tokens(problem) + len("".join(c)) for i, c in enumerate(chains) if i not in unread)
        return StepScores(per_chain, tokens, tuple(unread))

    async def readable_tokens(self, problem: str) -> int:
        return self.context - char_tokens(f"Q:{problem}\n")

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores:
        await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        return self._scores(problem, chains)

    async def score_many(
        self, items: Sequence[tuple[str, Sequence[Sequence[str]]]], request_id: str
    ) -> list[StepScores | BonError]:
        self.batches.append(len(items))
        await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        results: list[StepScores | BonError] = []
        for problem, chains in items:
            try:
                results.append(self._scores(problem, chains))
            except BonError as exc:
                results.append(exc)
        return results

    async def check(self) -> None:
        if self.failure is not None:
            raise self.failure

    async def close(self) -> None:
        self.closed = True


def fake_engines(generator: FakeGenerator | None = None, with_orm: bool = True) -> Engines:
    return Engines(
        generator or FakeGenerator(),
        ArithmeticScorer(),
        ArithmeticScorer() if with_orm else None,
        FORMAT,
    )


@dataclass
class FakeApp:
    """The API app on fake engines, with a client that runs its lifespan."""

    app: FastAPI
    engines: Engines
    client: TestClient


@contextmanager
def fake_app(engines: Engines | None = None, **settings: object) -> Iterator[FakeApp]:
    engines = engines or fake_engines()
    app = create_app(Settings(**settings), engines=engines)  # type: ignore[arg-type]
    with TestClient(app) as client:
        yield FakeApp(app, engines, client)
