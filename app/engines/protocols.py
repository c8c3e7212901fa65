"""What the pipeline needs from its two engines, whatever runs them (in process or remote)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar, runtime_checkable

from app.engines.notes import NoteRead, Notes
from app.tools.calls import Interjector, ToolCall

if TYPE_CHECKING:
    from app.engines.replicas import ReplicaPool

# The services the two engines are, as errors, logs and metrics name them (in process or remote).
GENERATOR = "generator"
REWARD_MODEL = "reward"


@dataclass(frozen=True, slots=True)
class SampledChain:
    text: str
    tokens: int
    finish_reason: str | None


@dataclass(frozen=True, slots=True)
class Generation:
    prompt_tokens: int
    chains: list[SampledChain]


@dataclass(frozen=True, slots=True)
class ChainDelta:
    """What one chain wrote since its last delta; `finish_reason` is set on its last one."""

    index: int
    text: str
    tokens: int
    finish_reason: str | None = None
    # Text a tool appended (the model did not write it, `tokens` is 0), and the call that wrote it.
    call: ToolCall | None = None
    # Text of the client's notes the chain read here (`tokens` is 0), and which notes it has read.
    note: NoteRead | None = None


@dataclass(frozen=True, slots=True)
class SegmentDelta:
    """What one chain decoded since its last delta, within one engine request that may stop at a
    tool's trigger: `stop_reason` is the stop string that ended it (on its last delta)."""

    text: str
    token_ids: tuple[int, ...]
    finish_reason: str | None = None
    stop_reason: str | None = None


@dataclass(frozen=True, slots=True)
class SamplingRequest:
    """A prompt's chains, and how to sample them: every field but `prompt` and `templated` is a
    sampling parameter, named as vLLM's `SamplingParams` and OpenAI's completions name it."""

    prompt: str
    n: int
    temperature: float
    max_tokens: int
    seed: int | None = None
    # Rendered by a chat template, which writes the model's special tokens (BOS) itself: the
    # tokenizer must not add them again.
    templated: bool = False
    top_p: float | None = None
    # A streamed chain's deltas carry at least this many tokens (its last one may carry fewer);
    # None: every token as it is decoded. How the chains arrive, never what they are.
    stream_interval: int | None = None

    def engine_fields(self) -> dict[str, Any]:
        """The sampling parameters, as both generators hand them to their engine; one left None
        is the engine's own default."""
        named = ((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("prompt", "templated"))
        return {name: value for name, value in named if value is not None}

    def chain(self, index: int) -> SamplingRequest:
        """Chain `index` of these alone: seeded with seed + index, as vLLM's own n > 1 seeds its
        samples, so a chain sampled alone is the one a request for all of them samples."""
        return replace(self, n=1, seed=None if self.seed is None else self.seed + index)


@dataclass(frozen=True, slots=True)
class StepScores:
    """One list of step scores (P(step is right)) per chain, and the tokens the scorer read.
    A chain longer than the reward model can read is not scored: its list is empty and its index
    is in `unread`."""

    per_chain: list[list[float]]
    tokens_scored: int
    unread: tuple[int, ...] = ()
    # Of `tokens_scored`, those the reward model did not compute again: a chain's earlier steps,
    # read before it grew (vLLM's prefix cache and the scorer's memory of their scores).
    tokens_cached: int = 0


@dataclass(frozen=True, slots=True)
class StepDraft:
    """One next step of a partial chain. `token_ids` spell `text` exactly (what the next step goes
    on from); `tokens` is what the engine decoded for it. `finish_reason` is None when the step
    reached its end (the chain goes on), else how the chain ended with it ("stop": on its own;
    "length": its token budget)."""

    text: str
    token_ids: tuple[int, ...]
    tokens: int
    finish_reason: str | None


ChatMessage = tuple[str, str]  # (role, content)


class ChainSampler(Protocol):
    """One request's chains, started and stopped one at a time while they decode. Chains are
    numbered in launch order from 0; with a seed, chain i samples with seed + i (as `stream`)."""

    @property
    def launched(self) -> int: ...

    def launch(self, count: int) -> None: ...

    def abort(self, index: int) -> None:
        """Stop chain `index` (its engine request is aborted); its last delta, with finish reason
        "abort", follows."""

    def __aiter__(self) -> AsyncIterator[ChainDelta]:
        """Every chain's deltas, interleaved, until no chain runs."""

    async def aclose(self) -> None:
        """Stop every chain still running."""


class Generator(Protocol):
    """Samples N chains for one prompt in one request, so the prompt's KV cache is shared."""

    async def generate(self, request: SamplingRequest, request_id: str) -> Generation: ...

    def stream(self, request: SamplingRequest, request_id: str) -> AsyncGenerator[ChainDelta, None]:
        """The N chains as they decode, interleaved; closing the iterator (or cancelling the task
        reading it) aborts every chain still running. With a seed, chain i samples with seed + i,
        as vLLM's own n > 1 does, so a streamed chain equals the one `generate` returns."""

    def sampler(
        self,
        request: SamplingRequest,
        request_id: str,
        tools: Interjector | None = None,
        notes: Notes | None = None,
    ) -> ChainSampler:
        """Chains of `request` (its `n` is not used) to launch and abort one at a time. With
        `tools`, a chain that writes a trigger pauses, what the tool writes is appended, and it goes
        on from there (`app/engines/interjection.py`); with `notes`, a chain reads the client's
        notes at its next step boundary the same way."""

    def segment(
        self, request: SamplingRequest, prefix: Sequence[int], stops: Sequence[str], request_id: str
    ) -> AsyncGenerator[SegmentDelta, None]:
        """One chain (`request.n` is 1) decoded on from `prefix` (its tokens so far, after the
        prompt; both from the engine's prefix cache) until it ends or writes one of `stops` (kept
        in its text), streamed. Closing the iterator aborts the request."""

    async def next_steps(
        self, request: SamplingRequest, prefix: Sequence[int], step_end: str, request_id: str
    ) -> list[StepDraft]:
        """`request.n` next steps of the chain whose tokens so far are `prefix` (after the prompt),
        each decoded until `step_end` (kept in its text) or the chain's end, in one engine request:
        the prompt and the prefix come from the engine's prefix cache, only the new tokens are
        decoded. `request.max_tokens` is what the chain has left; with a seed, step j samples with
        seed + j. Cancelling the call aborts the request."""

    def count_tokens(self, text: str, templated: bool = False) -> int: ...

    def token_ids(self, text: str) -> list[int]:
        """The text's tokens, without special ones (what the leak guard compares)."""

    def chat_prompt(self, messages: Sequence[ChatMessage]) -> str:
        """The prompt the model's chat template makes of these messages, open for its answer."""

    async def context_length(self) -> int:
        """The most tokens (prompt and chain) one sequence may hold."""

    async def check(self) -> None:
        """Raise when the engine cannot answer."""

    async def close(self) -> None: ...


class ScoresSteps(Protocol):
    """What a request's scoring calls: every step of every chain of one problem scored."""

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores: ...


class StepScorer(ScoresSteps, Protocol):
    """Scores every step of every chain of one problem with a process (or outcome) reward model."""

    async def readable_tokens(self, problem: str) -> int:
        """How many tokens of a chain the reward model can read after this problem's part of its input."""

    async def check(self) -> None:
        """Raise when the engine cannot answer."""

    async def close(self) -> None: ...


@runtime_checkable
class Replicated(Protocol):
    """An engine served by a pool of replicas (the remote adapters): a request sees it pinned to one."""

    def pinned(self, key: str) -> Self:
        """The engine with every call on the replica `key` picks."""

    def replicas(self) -> ReplicaPool: ...


E = TypeVar("E")


def pinned(engine: E, key: str) -> E:
    """The engine as the request `key` sees it: pinned to one replica where it has several."""
    return engine.pinned(key) if isinstance(engine, Replicated) else engine
