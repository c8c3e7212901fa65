"""When the reward model reads the chains of a request sampled whole (the fixed strategy, with no
budget): the schedule, as a pure rule of what the request needs and where the reward model runs.

- `batch`: one generator request for all N chains, answered when the last one ends, then one reward
  call for all of them: no per-token deltas to parse, one call each way. Nothing of a chain is known
  before every chain has ended, and the reward model waits for the generator.
- `finished`: the chains streamed, each scored as soon as it ends while the others decode. What a
  watched request needs (progress as it happens), and what an in-process reward model on cores of
  its own does best: it reads the early chains while the generator decodes the late ones.
- `steps`: streamed, every step scored as a separator settles it; worth it where the reward model
  has hardware of its own (the last read after the decoding is short).

`auto` was chosen by measurement (bench/THROUGHPUT.md, both deployments, one request at a time and
under load): for an unwatched request, `batch` where the reward model is remote (each call an HTTP
round trip and a hop through the worker's batcher: one call instead of several), `finished` where
it runs in process (overlapping the scoring with the decoding costs no calls).

The adaptive search, budgets, continuations and the step-level searches need every chain's steps
as they settle, and have their own drivers: the schedule is theirs by construction.
"""

from __future__ import annotations

from typing import Literal

Schedule = Literal["batch", "finished", "steps"]
# The setting: a schedule, or `auto` (`schedule_for`).
StepScoring = Literal["auto", "batch", "finished", "steps"]
# How a request was sampled and scored, as /metrics counts it: a schedule or another driver's.
RunSchedule = Literal["batch", "finished", "steps", "adaptive", "step_search"]


def schedule_for(setting: StepScoring, *, watched: bool, remote_reward: bool, tools: bool = False) -> Schedule:
    """The schedule of a request sampled whole. `watched`: its progress is streamed to a client,
    who is shown chains as they end; an unwatched request (a whole JSON answer, an OpenAI stream,
    which shows nothing before the summary) loses nothing by batching. `remote_reward`: the reward
    model is served over HTTP (the split deployment). `tools`: its chains call tools, so each one
    pauses on its own: they are never sampled as one batch."""
    if tools and setting in ("auto", "batch"):
        return "finished"
    if setting == "auto":
        return "batch" if remote_reward and not watched else "finished"
    return setting
