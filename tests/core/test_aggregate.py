from __future__ import annotations

import math
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.aggregate import Aggregation, aggregate

probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
score_lists = st.lists(probabilities, min_size=1, max_size=64)
METHODS: tuple[Aggregation, ...] = get_args(Aggregation)
PESSIMISTIC: tuple[Aggregation, ...] = ("min", "prod")


def test_each_aggregation_on_real_scores() -> None:
    scores = [0.9, 0.5, 0.8]
    assert aggregate(scores, "min") == 0.5
    assert aggregate(scores, "prod") == pytest.approx(0.36)
    assert aggregate(scores, "last") == 0.8
    assert aggregate(scores, "mean") == pytest.approx(2.2 / 3)


def test_one_bad_step_sinks_min_and_prod_but_not_mean() -> None:
    scores = [0.99, 0.99, 0.05, 0.99]
    assert aggregate(scores, "min") == 0.05
    assert aggregate(scores, "prod") < 0.05
    assert aggregate(scores, "mean") > 0.7


@pytest.mark.parametrize("how", METHODS)
def test_a_chain_without_steps_scores_zero(how: Aggregation) -> None:
    assert aggregate([], how) == 0.0


@pytest.mark.parametrize("how", METHODS)
@pytest.mark.parametrize("bad", [1.5, -0.1, math.nan, math.inf])
def test_scores_outside_zero_one_are_rejected(how: Aggregation, bad: float) -> None:
    with pytest.raises(ValueError, match="probabilities"):
        aggregate([0.5, bad], how)


def test_an_unknown_aggregation_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown"):
        aggregate([0.5], "max")  # type: ignore[arg-type]


@given(score_lists)
def test_prod_le_min_le_mean_le_max(scores: list[float]) -> None:
    low, high = min(scores), max(scores)
    mean = aggregate(scores, "mean")
    assert aggregate(scores, "prod") <= aggregate(scores, "min") == low
    assert low - 1e-12 <= mean <= high + 1e-12


@given(score_lists, st.sampled_from(METHODS))
def test_every_aggregate_is_a_probability(scores: list[float], how: Aggregation) -> None:
    assert 0.0 <= aggregate(scores, how) <= 1.0


@given(score_lists)
def test_last_is_the_last_step(scores: list[float]) -> None:
    assert aggregate(scores, "last") == scores[-1]


@given(score_lists, probabilities)
def test_another_step_never_raises_min_or_prod(scores: list[float], extra: float) -> None:
    for how in PESSIMISTIC:
        assert aggregate([*scores, extra], how) <= aggregate(scores, how)


@given(score_lists)
def test_a_certain_step_changes_neither_min_nor_prod(scores: list[float]) -> None:
    for how in PESSIMISTIC:
        assert aggregate([*scores, 1.0], how) == aggregate(scores, how)
