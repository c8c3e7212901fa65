"""Which chains vote, and what a search spent: pure rules over finish reasons and scores.

The service applies them to the chains it sampled; the lab applies the same ones to recorded
chains when it replays a search offline, so the two can never disagree about a vote.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.adaptive import SearchTally

# The finish reason of a chain stopped before it ended (pruned, or stopped by the search). The
# generators report vLLM's own "abort" for it.
ABORTED = "abort"
TRUNCATED = "length"  # cut off by its token budget: it never finished its reasoning


def ended_on_its_own(finish_reason: str | None) -> bool:
    """Neither cut off by its token budget nor aborted: only such a chain is scored whole and may
    vote."""
    return finish_reason not in (TRUNCATED, ABORTED)


def casts_a_vote(
    finish_reason: str | None,
    answer: str | None,
    scores: Sequence[float],
    outcome_scores: Sequence[float] | None,
    with_outcome_model: bool,
) -> bool:
    """A chain votes when it finished on its own, reached an answer and was read by every reward
    model in use: an unverified chain has no place in a verified vote."""
    read = bool(scores) and (not with_outcome_model or bool(outcome_scores))
    return ended_on_its_own(finish_reason) and answer is not None and read


def tally_of(finish_reasons: Sequence[str | None], tokens: Sequence[int]) -> SearchTally:
    """What a run without the controller (the fixed strategy) spent, read from its chains."""
    return SearchTally(
        started=len(finish_reasons),
        finished=sum(ended_on_its_own(reason) for reason in finish_reasons),
        truncated=sum(reason == TRUNCATED for reason in finish_reasons),
        reasoning_tokens=sum(tokens),
    )


def together(earlier: SearchTally | None, now: SearchTally | None) -> SearchTally | None:
    """What every run of a continued request spent; why the last one stopped."""
    if earlier is None or now is None:
        return now or earlier
    return SearchTally(
        started=earlier.started + now.started,
        pruned=earlier.pruned + now.pruned,
        finished=earlier.finished + now.finished,
        truncated=earlier.truncated + now.truncated,
        reasoning_tokens=earlier.reasoning_tokens + now.reasoning_tokens,
        stop_reason=now.stop_reason,
        steps=earlier.steps + now.steps,
        resamplings=earlier.resamplings + now.resamplings,
        branches=earlier.branches + now.branches,
    )


def heeding(votes: Sequence[bool], notes_read: Sequence[int], notes: int) -> list[bool]:
    """Which chains vote once the client has added `notes` notes: the voting chains that read
    every one, where any did; else every voting chain (no chain took the notes in, and the
    answer is the one the chains give without them)."""
    read_all = [vote and read >= notes for vote, read in zip(votes, notes_read, strict=True)]
    return read_all if notes and any(read_all) else list(votes)
