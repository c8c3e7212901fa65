"""What a solve reports while it runs, in the order a stream sends it: progress while the chains
decode, the summary in pieces once it is written (and has passed the leak guard), then the
outcome. None of these has a field a chain could go into."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.service.outcome import SolveOutcome


@dataclass(frozen=True, slots=True)
class Progress:
    chains_running: int
    chains_finished: int  # finished on their own (not cut off)
    chains_truncated: int  # cut off by their token budget
    steps_scored: int  # steps the reward model has read so far, growing chains' included
    tokens: int  # generated so far, all chains
    leading_answer: str | None  # the answer the finished, scored chains select now
    leading_share: float  # its share of their weight (of their votes, for majority_vote)
    elapsed_s: float
    chains_pruned: int = 0  # cut by the adaptive strategy (their steps scored too low)
    stop_reason: str | None = None  # why the adaptive strategy stopped, once it has
    chains_vetoed: int = 0  # ended chains with a step a checker found false
    notes: int = 0  # the client's notes so far (POST /solve/{request_id}/context)
    chains_reached: int = 0  # chains started that have read every one of them


@dataclass(frozen=True, slots=True)
class SummaryDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Finished:
    outcome: SolveOutcome


SolveEvent = Progress | SummaryDelta | Finished

_PIECE = re.compile(r"\s*\S+")


def summary_pieces(summary: str) -> list[str]:
    """The summary as word-sized deltas whose concatenation is the summary."""
    pieces = _PIECE.findall(summary)
    rest = summary[len("".join(pieces)) :]  # trailing whitespace
    return [*pieces, rest] if rest else pieces
