"""A chain that pauses at a tool's trigger, has the tool's result appended, and goes on.

The chain is decoded in segments, each one engine request (`Generator.segment`) that stops at any
trigger; the next segment starts from the prompt, the chain so far and the appended text, which
the engine finds in its prefix cache, so only the new tokens are computed. Across the segments
the chain keeps what it would have alone: its token budget (the tokens the model decoded; the
appended text is not charged, but must fit the context), its seed (segment k of chain i samples
with seed + i + k·SEGMENT_SEED_STRIDE, the same in both deployments), and its abort (closing the
chain closes the segment decoding and cancels a tool call in flight).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace

from app.engines.chain_sampler import TaskChainSampler
from app.engines.protocols import GENERATOR, ChainDelta, Generator, SamplingRequest, SegmentDelta
from app.errors import EngineError
from app.tools.calls import Interjector

# Far above any chain index, so a resumed segment's seed is no other chain's.
SEGMENT_SEED_STRIDE = 1_000_003
LENGTH = "length"


@dataclass(frozen=True, slots=True)
class _Decoded:
    """One segment as it ended: its text, the tokens that spell it, and the trigger it stopped at."""

    text: str
    token_ids: tuple[int, ...]
    trigger: str | None


def segment_request(chain: SamplingRequest, k: int, decoded: int, room: int) -> SamplingRequest:
    """Segment k of a chain: what is left of its budget (and of the context), its own seed."""
    seed = None if chain.seed is None else chain.seed + k * SEGMENT_SEED_STRIDE
    return replace(chain, max_tokens=min(chain.max_tokens - decoded, room), seed=seed)


class InterjectedChain:
    """Chain `index` of a request, decoded in segments with `tools` interjecting."""

    def __init__(
        self,
        generator: Generator,
        request: SamplingRequest,
        request_id: str,
        tools: Interjector,
        spelling: Callable[[str, Sequence[int]], tuple[int, ...]],
    ) -> None:
        self._generator, self._request, self._id, self._tools = generator, request, request_id, tools
        self._spelling = spelling

    async def deltas(self, index: int) -> AsyncIterator[ChainDelta]:
        chain = self._request.chain(index)
        context = await self._generator.context_length()
        prompt_tokens = self._generator.count_tokens(chain.prompt, chain.templated)
        prefix: list[int] = []
        text, decoded, k = "", 0, 0
        while True:
            room = context - prompt_tokens - len(prefix)
            request = segment_request(chain, k, decoded, room)
            if request.max_tokens <= 0:
                yield ChainDelta(index, "", 0, LENGTH)
                return
            segment_id = f"{self._id}-{index}" + (f".{k}" if k else "")
            ended: _Decoded | None = None
            async for delta, done in self._segment(request, prefix, segment_id):
                decoded += len(delta.token_ids)
                if done is None:
                    yield ChainDelta(index, delta.text, len(delta.token_ids))
                    continue
                if done.trigger is None:
                    yield ChainDelta(index, delta.text, len(delta.token_ids), delta.finish_reason or "stop")
                    return
                yield ChainDelta(index, delta.text, len(delta.token_ids))
                ended = done
            if ended is None:
                raise EngineError(GENERATOR, f"chain {index}: a segment ended without a finish reason")
            text += ended.text
            prefix += ended.token_ids
            interjection = await self._tools.interject(text, ended.trigger or "")
            if interjection is not None:
                text += interjection.text
                prefix += self._generator.token_ids(interjection.text)
                yield ChainDelta(index, interjection.text, 0, None, interjection.call)
            k += 1

    async def _segment(
        self, request: SamplingRequest, prefix: Sequence[int], segment_id: str
    ) -> AsyncIterator[tuple[SegmentDelta, _Decoded | None]]:
        """The segment's deltas; with its last one, how it ended (None before)."""
        text, ids = "", list[int]()
        async for delta in self._generator.segment(request, prefix, self._tools.triggers, segment_id):
            text += delta.text
            ids += delta.token_ids
            if delta.finish_reason is None:
                yield delta, None
                continue
            trigger = delta.stop_reason if delta.stop_reason in self._tools.triggers else None
            yield delta, _Decoded(text, self._spelling(text, ids), trigger)
            return


def interjected_sampler(
    generator: Generator,
    request: SamplingRequest,
    request_id: str,
    tools: Interjector,
    spelling: Callable[[str, Sequence[int]], tuple[int, ...]],
) -> TaskChainSampler:
    """Chains to launch and abort one at a time, each decoded with `tools` interjecting."""
    chain = InterjectedChain(generator, request, request_id, tools, spelling)
    return TaskChainSampler(chain.deltas, GENERATOR, request_id)
