"""The step-level search's pure rules: resampling and the beam's choice."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.particles import StepRules, best, keep_beams, log_weight, resample

scores = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40)
temperatures = st.floats(0.05, 10.0)
counts = st.integers(1, 64)


@given(scores, counts, temperatures, st.integers(0, 2**32))
def test_a_resample_keeps_the_population_size_and_draws_only_particles(
    s: list[float], count: int, temperature: float, seed: int
) -> None:
    drawn = resample(s, count, temperature, random.Random(seed))
    assert len(drawn) == count
    assert all(0 <= i < len(s) for i in drawn)
    assert drawn == sorted(drawn)


@given(scores, counts, temperatures, st.integers(0, 2**32))
def test_a_zero_score_is_never_drawn_while_a_positive_one_exists(
    s: list[float], count: int, temperature: float, seed: int
) -> None:
    drawn = resample(s, count, temperature, random.Random(seed))
    if any(x > 0 for x in s):
        assert all(s[i] > 0 for i in drawn)


@given(scores, counts, temperatures, st.integers(0, 2**32))
def test_a_seeded_resample_is_reproducible(s: list[float], count: int, temperature: float, seed: int) -> None:
    assert resample(s, count, temperature, random.Random(seed)) == resample(s, count, temperature, random.Random(seed))


@given(scores, counts, temperatures, st.integers(0, 2**32))
def test_systematic_resampling_gives_each_particle_its_share_within_one(
    s: list[float], count: int, temperature: float, seed: int
) -> None:
    drawn = Counter(resample(s, count, temperature, random.Random(seed)))
    logs = [log_weight(x, temperature) for x in s]
    top = max(logs)
    weights = [0.0 if lw == -math.inf else math.exp(lw - top) for lw in logs] if top > -math.inf else [1.0] * len(s)
    total = sum(weights)
    for i, w in enumerate(weights):
        expected = count * w / total
        assert math.floor(expected) - 1 <= drawn[i] <= math.ceil(expected) + 1  # ±1 for float rounding


def test_all_zero_scores_draw_uniformly() -> None:
    drawn = Counter(resample([0.0] * 4, 400, 1.0, random.Random(1)))
    assert set(drawn.values()) == {100}


def test_a_lower_temperature_favours_the_better_particle() -> None:
    s = [0.9, 0.6]
    warm = Counter(resample(s, 100, 2.0, random.Random(3)))[0]
    cold = Counter(resample(s, 100, 0.25, random.Random(3)))[0]
    assert cold > warm > 50


def test_weights_are_odds() -> None:
    assert log_weight(0.5, 1.0) == 0.0
    assert log_weight(0.75, 1.0) == pytest.approx(math.log(3))
    assert log_weight(0.0, 1.0) == -math.inf
    assert log_weight(float("nan"), 1.0) == -math.inf
    assert math.isfinite(log_weight(1.0, 0.01))


@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), max_size=20), st.integers(0, 25))
def test_best_keeps_the_highest_scores(s: list[float], keep: int) -> None:
    chosen = best(s, keep)
    assert len(chosen) == min(keep, len(s))
    left = [x for i, x in enumerate(s) if i not in chosen]
    assert all(s[i] >= x for i in chosen for x in left)


def test_beams_are_the_population_over_the_width() -> None:
    assert StepRules(width=4).beams(16) == 4
    assert StepRules(width=4).beams(2) == 1
    with pytest.raises(ValueError):
        StepRules(temperature=0)


@given(st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 5)), min_size=1, max_size=30))
def test_diverse_beams_keep_the_best_of_each_subtree(chains: list[tuple[float, int]]) -> None:
    scores, subtrees = [s for s, _ in chains], [t for _, t in chains]
    kept = keep_beams(scores, subtrees, beams=2, diverse=True)
    assert sorted(subtrees[i] for i in kept) == sorted(set(subtrees))  # one per subtree
    for i in kept:
        assert all(scores[i] >= s for s, t in chains if t == subtrees[i])
    assert keep_beams(scores, subtrees, beams=2, diverse=False) == best(scores, 2)
