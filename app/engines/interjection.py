"""A chain that pauses at a tool's trigger, has the tool's result appended, and goes on; and that
reads a client's note at its next step boundary.

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
from contextlib import aclosing
from dataclasses import dataclass, replace

from app.engines.chain_sampler import TaskChainSampler
from app.engines.notes import NoteRead, Notes, step_boundary
from app.engines.protocols import GENERATOR, ChainDelta, Generator, SamplingRequest, SegmentDelta
from app.errors import EngineError
from app.tools.calls import Interjection, Interjector

# Far above any chain index, so a resumed segment's seed is no other chain's.
SEGMENT_SEED_STRIDE = 1_000_003
LENGTH = "length"


@dataclass(frozen=True, slots=True)
class _Decoded:
    """One segment as it ended: its text, the tokens that spell it, and the trigger it stopped at
    (or `for_note`: it was cut at a step boundary, for a note to be read there)."""

    text: str
    token_ids: tuple[int, ...]
    trigger: str | None
    for_note: bool = False


def segment_request(chain: SamplingRequest, k: int, decoded: int, room: int) -> SamplingRequest:
    """Segment k of a chain: what is left of its budget (and of the context), its own seed."""
    seed = None if chain.seed is None else chain.seed + k * SEGMENT_SEED_STRIDE
    return replace(chain, max_tokens=min(chain.max_tokens - decoded, room), seed=seed)


class _NoTools:
    triggers: tuple[str, ...] = ()

    async def interject(self, chain_text: str, trigger: str) -> Interjection | None:
        return None


class InterjectedChain:
    """Chain `index` of a request, decoded in segments with `tools` interjecting and the client's
    `notes` read at step boundaries."""

    def __init__(
        self,
        generator: Generator,
        request: SamplingRequest,
        request_id: str,
        tools: Interjector | None,
        spelling: Callable[[str, Sequence[int]], tuple[int, ...]],
        notes: Notes | None = None,
    ) -> None:
        self._generator, self._request, self._id = generator, request, request_id
        self._tools: Interjector = tools or _NoTools()
        self._spelling, self._notes = spelling, notes

    async def deltas(self, index: int) -> AsyncIterator[ChainDelta]:
        chain = self._request.chain(index)
        context = await self._generator.context_length()
        prompt_tokens = self._generator.count_tokens(chain.prompt, chain.templated)
        prefix: list[int] = []
        text, decoded, k, read = "", 0, 0, 0
        while True:
            if self._notes is not None and len(self._notes) > read and self._at_boundary(text):
                written, read = self._notes.text_after(read), len(self._notes)
                read_here = NoteRead(read, self._steps_in(text), self._steps_in(written))
                yield ChainDelta(index, written, 0, note=read_here)
                text += written
                prefix += self._generator.token_ids(written)
            room = context - prompt_tokens - len(prefix)
            request = segment_request(chain, k, decoded, room)
            if request.max_tokens <= 0:
                yield ChainDelta(index, "", 0, LENGTH)
                return
            segment_id = f"{self._id}-{index}" + (f".{k}" if k else "")
            ended: _Decoded | None = None
            async for delta, done in self._segment(request, prefix, segment_id, text, read):
                decoded += len(delta.token_ids)
                if done is None:
                    yield ChainDelta(index, delta.text, len(delta.token_ids))
                    continue
                if done.trigger is None and not done.for_note:
                    yield ChainDelta(index, delta.text, len(delta.token_ids), delta.finish_reason or "stop")
                    return
                yield ChainDelta(index, delta.text, len(delta.token_ids))
                ended = done
            if ended is None:
                raise EngineError(GENERATOR, f"chain {index}: a segment ended without a finish reason")
            text += ended.text
            prefix += ended.token_ids
            if ended.trigger is not None:
                interjection = await self._tools.interject(text, ended.trigger)
                if interjection is not None:
                    text += interjection.text
                    prefix += self._generator.token_ids(interjection.text)
                    yield ChainDelta(index, interjection.text, 0, None, interjection.call)
            k += 1

    def _at_boundary(self, text: str) -> bool:
        return self._notes is not None and step_boundary(text, "", self._notes.step_end) == 0

    def _steps_in(self, text: str) -> int:
        return 0 if self._notes is None else text.count(self._notes.step_end)

    def _note_cut(self, before: str, piece: str, read: int, finished: bool) -> int | None:
        """Where to cut a segment's delta for a note waiting to be read (None: no cut): at the
        chain's next step boundary, unless the chain ends there anyway."""
        if self._notes is None or len(self._notes) <= read:
            return None
        cut = step_boundary(before, piece, self._notes.step_end)
        if cut is None or (finished and cut == len(piece)):
            return None
        return cut

    async def _segment(
        self, request: SamplingRequest, prefix: Sequence[int], segment_id: str, before: str, read: int
    ) -> AsyncIterator[tuple[SegmentDelta, _Decoded | None]]:
        """The segment's deltas; with its last one, how it ended (None before). A note waiting
        to be read ends the segment at the chain's next step boundary (what the engine decoded
        past it is dropped, and its request closed)."""
        text, ids = "", list[int]()
        triggers = self._tools.triggers
        async with aclosing(self._generator.segment(request, prefix, triggers, segment_id)) as deltas:
            async for delta in deltas:
                cut = self._note_cut(before + text, delta.text, read, delta.finish_reason is not None)
                if cut is not None:
                    piece = delta.text[:cut]
                    text += piece
                    ids += delta.token_ids
                    yield replace(delta, text=piece), _Decoded(text, self._spelling(text, ids), None, for_note=True)
                    return
                text += delta.text
                ids += delta.token_ids
                if delta.finish_reason is None:
                    yield delta, None
                    continue
                trigger = delta.stop_reason if delta.stop_reason in triggers else None
                yield delta, _Decoded(text, self._spelling(text, ids), trigger)
                return


def interjected_sampler(
    generator: Generator,
    request: SamplingRequest,
    request_id: str,
    tools: Interjector | None,
    spelling: Callable[[str, Sequence[int]], tuple[int, ...]],
    notes: Notes | None = None,
) -> TaskChainSampler:
    """Chains to launch and abort one at a time, each decoded with `tools` interjecting and the
    client's `notes` read at step boundaries."""
    chain = InterjectedChain(generator, request, request_id, tools, spelling, notes)
    return TaskChainSampler(chain.deltas, GENERATOR, request_id)
