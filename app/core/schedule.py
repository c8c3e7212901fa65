"""When the reward model reads the chains of a request sampled whole (the fixed strategy, with no
budget): the schedule, as a pure rule of what the request needs.

- `batch`: one generator request for all N chains, answered when the last one ends, then one reward
  call for all of them. The least work around the model: no per-token deltas to parse, one call
  each way. Nothing of a chain is known before every chain has ended.
- `finished`: the chains streamed, each scored as soon as it ends while the others decode. What a
  watched request needs: progress (chains ending, the leading answer) as it happens.
- `steps`: streamed, every step scored as a separator settles it; worth it where the reward model
  has hardware of its own (the last read after the decoding is short).

The adaptive search, budgets, continuations and the step-level searches need every chain's steps
as they settle, and have their own drivers: the schedule is theirs by construction.
"""

from __future__ import annotations

from typing import Literal

Schedule = Literal["batch", "finished", "steps"]
# The setting: a schedule, or `auto` — batch unless someone watches the request's progress.
StepScoring = Literal["auto", "batch", "finished", "steps"]
# How a request was sampled and scored, as /metrics counts it: a schedule or another driver's.
RunSchedule = Literal["batch", "finished", "steps", "adaptive", "step_search"]


def schedule_for(setting: StepScoring, *, watched: bool) -> Schedule:
    """The schedule of a request sampled whole. `watched`: its progress is streamed to a client,
    who is shown chains as they end; an unwatched request (a whole JSON answer, an OpenAI stream,
    which shows nothing before the summary) loses nothing by batching."""
    if setting == "auto":
        return "finished" if watched else "batch"
    return setting
