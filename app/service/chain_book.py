"""`ChainBook`: the one owner of what every chain of a request wrote and how it ended.

A continuation's book opens with the chains of the runs before it (`earlier`, as they were
recorded); the new chains follow them, so a new chain's place in the answer is its index here
plus the number of earlier ones. The live scorer and the adaptive controller keep their own views
of the same chains (what was sent to the reward model; what the search still counts), fed from
what `take` reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.aggregate import Aggregation, aggregate
from app.core.votes import ABORTED, casts_a_vote, ended_on_its_own
from app.engines.notes import NoteRead, judged, notes_read
from app.engines.protocols import ChainDelta, SampledChain, StepScores
from app.formats.reading import ReadChain, closes_a_step, read_chain, settled_steps
from app.formats.spec import GeneratorFormat
from app.service.outcome import ChainRecord
from app.service.step_checks import RequestChecks
from app.tools.calls import ToolCall


@dataclass(frozen=True, slots=True)
class ChainUpdate:
    """What one delta changed: a decoding chain's newly settled steps, or the end of a chain."""

    settled: list[str] | None = None  # all the settled steps of a chain still decoding, when one closed
    ended: bool = False
    final: list[str] | None = None  # an ended chain's steps to score whole (None: it is not scored)


class ChainBook:
    def __init__(self, n: int, fmt: GeneratorFormat, earlier: Sequence[ChainRecord] = ()) -> None:
        self.earlier = tuple(earlier)
        self._fmt = fmt
        self.texts, self.tokens = [""] * n, [0] * n
        self.finish: list[str | None] = [None] * n
        self._reads: list[ReadChain | None] = [None] * n
        self._leaves: list[int | None] = [None] * n
        self.calls: list[list[ToolCall]] = [[] for _ in range(n)]
        self.notes: list[list[NoteRead]] = [[] for _ in range(n)]
        self.tokens_decoded = 0  # what a key's token limit is charged, however the run ends

    def take(self, delta: ChainDelta) -> ChainUpdate:
        i = delta.index
        before = len(self.texts[i])
        self.texts[i] += delta.text
        self.tokens[i] += delta.tokens
        self.tokens_decoded += delta.tokens
        if delta.call is not None:
            self.calls[i].append(delta.call)
        if delta.note is not None:
            self.notes[i].append(delta.note)
        if delta.finish_reason is None:
            if closes_a_step(self.texts[i], before, self._fmt):
                return ChainUpdate(settled=settled_steps(self.texts[i], self._fmt))
            return ChainUpdate()
        self.finish[i] = delta.finish_reason
        self._reads[i] = read = read_chain(self.texts[i], self._fmt)
        return ChainUpdate(ended=True, final=read.steps if ended_on_its_own(delta.finish_reason) else None)

    def charge(self, tokens: int) -> None:
        """Tokens a step-level search decoded (charged as they are: its chains are written whole)."""
        self.tokens_decoded += tokens

    def settle(self, index: int, text: str, tokens: int, finish_reason: str, leaf: int) -> None:
        """Chain `index` written whole, ended: a step-level search's, through node `leaf` of its
        tree (other chains may share its first steps; their tokens were charged once)."""
        self.texts[index], self.tokens[index], self.finish[index] = text, tokens, finish_reason
        self._reads[index] = read_chain(text, self._fmt)
        self._leaves[index] = leaf

    def ended_read(self, index: int) -> ReadChain | None:
        """How an ended chain reads (None while it decodes)."""
        return self._reads[index]

    def close_unfinished(self, launched: int) -> list[int]:
        """The chains with no end yet (stopped while their last deltas were unread, or never
        started): a launched one is marked aborted. Returns their indices."""
        open_ = [i for i, reason in enumerate(self.finish) if reason is None]
        for i in open_:
            if i < launched:
                self.finish[i] = ABORTED
        return open_

    def place(self, index: int) -> int:
        """A new chain's place among every chain of the answer."""
        return len(self.earlier) + index

    def sampled(self, launched: int) -> list[SampledChain]:
        return [SampledChain(self.texts[i], self.tokens[i], self.finish[i]) for i in range(launched)]

    def records(
        self,
        launched: int,
        prm: StepScores,
        orm: StepScores | None,
        aggregation: Aggregation,
        checks: RequestChecks | None = None,
    ) -> list[ChainRecord]:
        """Every chain of the answer as it is kept: the earlier ones, then the `launched` new ones
        with their final scores (and the step checkers' verdicts)."""
        return [*self.earlier, *(self._record(i, prm, orm, aggregation, checks) for i in range(launched))]

    def _record(
        self, i: int, prm: StepScores, orm: StepScores | None, aggregation: Aggregation, checks: RequestChecks | None
    ) -> ChainRecord:
        read = self._reads[i] or read_chain(self.texts[i], self._fmt)
        scores = prm.per_chain[i]
        outcome = orm.per_chain[i] if orm is not None else None
        return ChainRecord(
            text=self.texts[i],
            steps=read.steps,
            step_scores=scores,
            chain_score=aggregate(judged(scores, self.notes[i]), aggregation),
            outcome_score=(outcome[-1] if outcome else 0.0) if outcome is not None else None,
            answer=read.answer,
            votes=casts_a_vote(self.finish[i], read.answer, scores, outcome, orm is not None),
            finish_reason=self.finish[i],
            tokens=self.tokens[i],
            leaf=self._leaves[i],
            step_checks=tuple(checks.known(read.steps)) if checks is not None else (),
            tool_calls=tuple(self.calls[i]),
            notes=tuple(self.notes[i]),
        )

    def notes_read(self, index: int) -> int:
        """How many of the client's notes a new chain has read so far."""
        return notes_read(self.notes[index])
