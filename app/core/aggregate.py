"""Step scores to a chain score.

``min`` and ``prod`` follow the PRM papers (a chain is as good as its weakest step; every step
must be right), ``last`` trusts the PRM's view of the whole chain at its end, ``mean`` is the
lenient baseline.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Literal

Aggregation = Literal["min", "prod", "last", "mean"]


def aggregate(step_scores: Sequence[float], how: Aggregation) -> float:
    """The chain score from its step scores, each the probability that the step is right."""
    # A NaN or a logit passed by mistake would silently reorder every later comparison.
    if not all(0.0 <= score <= 1.0 for score in step_scores):
        raise ValueError("step scores must be probabilities in [0, 1]")
    if not step_scores:
        return 0.0  # a chain with no steps has nothing that supports it
    if how == "min":
        return float(min(step_scores))
    if how == "prod":
        return float(math.prod(step_scores))
    if how == "last":
        return float(step_scores[-1])
    if how == "mean":
        return statistics.fmean(step_scores)
    raise ValueError(f"unknown aggregation {how!r}")
