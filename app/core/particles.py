"""Step-level search: which partial chains go on after each step. Pure rules, no engine.

Particle filtering (as in "A Probabilistic Inference Approach to Inference-Time Scaling", its_hub's
`ParticleFiltering`): N partial chains (particles) each advance one step; the population is then
drawn again, N of them with replacement, each in proportion to its weight: the odds that its
steps so far are right (the PRM's aggregated score s, as s / (1 - s)), to the power 1 / temperature.
A zero score weighs nothing; a lower temperature favours the best more. Systematic resampling
(one uniform draw, N evenly spaced pointers) keeps a particle of weight w between ⌊Nw⌋ and ⌈Nw⌉
copies: less noise than N independent draws.

Beam search (as in "Scaling LLM Test-Time Compute Optimally", search-and-learn's `beam_search`):
the best N / width partial chains by score go on, each extended `width` ways. With `diverse`
(DVTS, diverse verifier tree search): the N first steps make N / width independent subtrees, and
each keeps its own best chain, so one strong prefix cannot take every beam.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

StepStrategy = Literal["particle_filtering", "beam"]
STEP_STRATEGIES: tuple[StepStrategy, ...] = ("particle_filtering", "beam")

_CERTAIN = 1.0 - 1e-6  # a score of 1 is read as this: its odds stay finite


@dataclass(frozen=True, slots=True)
class StepRules:
    """`temperature`: particle filtering's, on the weights. `width`: beam search's branching; the
    beams kept are the population over it (at least one). `diverse`: beam search as DVTS."""

    temperature: float = 1.0
    width: int = 4
    diverse: bool = False

    def __post_init__(self) -> None:
        if not self.temperature > 0:
            raise ValueError("temperature must be positive")
        if self.width < 1:
            raise ValueError("width must be at least 1")

    def beams(self, population: int) -> int:
        return max(1, population // self.width)


def log_weight(score: float, temperature: float) -> float:
    """A particle's log weight: log(odds) / temperature; -inf for a score of 0 (or below)."""
    s = min(score, _CERTAIN)
    if not s > 0:  # also NaN: a score that says nothing weighs nothing
        return -math.inf
    return math.log(s / (1.0 - s)) / temperature


def resample(scores: Sequence[float], count: int, temperature: float, rng: random.Random) -> list[int]:
    """`count` indices into `scores`, drawn systematically in proportion to their weights, in
    ascending order. A particle of zero weight is never drawn while one of positive weight exists;
    when none has weight, every particle is equally likely."""
    if not scores:
        raise ValueError("nothing to resample")
    logs = [log_weight(s, temperature) for s in scores]
    top = max(logs)
    if top == -math.inf:
        logs = [0.0] * len(scores)
        top = 0.0
    weighted = [(i, math.exp(lw - top)) for i, lw in enumerate(logs) if lw > -math.inf]
    bounds = list(accumulate(w for _, w in weighted))
    total = bounds[-1]
    start = rng.random() / count
    drawn = []
    for k in range(count):
        pointer = (start + k / count) * total
        at = min(bisect_right(bounds, pointer), len(weighted) - 1)  # rounding can pass the last bound
        drawn.append(weighted[at][0])
    return drawn


def best(scores: Sequence[float], keep: int) -> list[int]:
    """The indices of the `keep` highest scores, best first; equal scores in index order."""
    order = sorted(range(len(scores)), key=lambda i: (-_orderable(scores[i]), i))
    return order[:keep]


def keep_beams(scores: Sequence[float], subtrees: Sequence[int], beams: int, diverse: bool) -> list[int]:
    """The indices of the chains that go on: the `beams` best; with `diverse`, the best of each
    subtree (`subtrees[i]`: chain i's), subtrees in order of first appearance."""
    if not diverse:
        return best(scores, beams)
    firsts: dict[int, int] = {}
    for i in best(scores, len(scores)):
        firsts.setdefault(subtrees[i], i)
    return [firsts[t] for t in dict.fromkeys(subtrees)]


def _orderable(score: float) -> float:
    return score if score == score else -math.inf  # NaN last
