"""Confidence: the selection's features, and the calibration that turns them into a probability."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.confidence import FEATURES, Calibration, confidence_features, confidence_of
from app.core.select import ScoredChain, select

CALIBRATION = Calibration(
    coefficients={
        "logit_share": 0.15,
        "logit_winner_score": 0.2,
        "logit_mean_score": 0.1,
        "log_votes": 0.4,
        "logit_agreement": 0.05,
        "out_of_domain": -7.0,
    },
    intercept=-1.5,
    selection="prm_weighted_vote",
    aggregation="min",
)

scores = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
chains = st.lists(
    st.builds(ScoredChain, st.sampled_from(["243", "233", "85", None]), scores, st.none()), min_size=1, max_size=20
)


@given(chains, st.booleans())
def test_a_calibrated_confidence_is_a_probability_and_zero_without_an_answer(ballots, in_domain) -> None:
    result = select(ballots, "prm_weighted_vote")
    confidence = confidence_of(ballots, result, CALIBRATION, "min", in_domain)
    assert confidence.calibrated
    assert 0.0 <= confidence.value <= 1.0 and math.isfinite(confidence.value)
    if result.answer is None:
        assert confidence.value == 0.0


@given(chains)
def test_the_features_describe_the_selection(ballots) -> None:
    result = select(ballots, "prm_weighted_vote")
    features = confidence_features(ballots, result)
    if result.answer is None:
        assert features is None
        return
    assert features is not None
    voting = [b for b in ballots if b.answer is not None]
    assert features.votes == len(voting)
    assert features.share == result.confidence
    assert features.winner_score == ballots[result.winner_index].chain_score  # type: ignore[index]
    assert 0.0 < features.agreement <= 1.0
    assert set(features.design()) == set(FEATURES)


@given(st.floats(min_value=0.0, max_value=0.98), st.floats(min_value=0.01, max_value=0.5), st.integers(1, 8))
def test_better_scored_chains_make_an_answer_more_likely_right(score: float, better: float, others: int) -> None:
    def probability(best: float) -> float:
        ballots = [ScoredChain("243", best, None)] + [ScoredChain("243", score, None)] * others
        return confidence_of(ballots, select(ballots, "prm_weighted_vote"), CALIBRATION, "min").value

    assert probability(min(score + better, 1.0)) >= probability(score)


@given(st.floats(min_value=0.5, max_value=1.0), st.integers(1, 30))
def test_more_agreeing_votes_make_an_answer_more_likely_right(score: float, votes: int) -> None:
    def probability(n: int) -> float:
        ballots = [ScoredChain("243", score, None)] * n
        return confidence_of(ballots, select(ballots, "prm_weighted_vote"), CALIBRATION, "min").value

    assert probability(votes + 1) >= probability(votes)


def test_a_problem_outside_the_generators_domain_gets_a_low_confidence() -> None:
    ballots = [ScoredChain("77", 0.999, None)] * 16  # sixteen chains agree, and the PRM approves each
    result = select(ballots, "prm_weighted_vote")
    inside = confidence_of(ballots, result, CALIBRATION, "min", in_domain=True).value
    outside = confidence_of(ballots, result, CALIBRATION, "min", in_domain=False).value
    assert inside > 0.9 and outside < 0.5


def test_without_a_calibration_for_the_selection_the_confidence_is_the_vote_share() -> None:
    ballots = [ScoredChain("243", 0.9, 0.8), ScoredChain("233", 0.3, 0.1)]
    for calibration, selection, aggregation in [
        (None, "prm_weighted_vote", "min"),
        (CALIBRATION, "majority_vote", "min"),
        (CALIBRATION, "prm_weighted_vote", "prod"),
    ]:
        result = select(ballots, selection)  # type: ignore[arg-type]
        confidence = confidence_of(ballots, result, calibration, aggregation)  # type: ignore[arg-type]
        assert not confidence.calibrated and confidence.value == result.confidence


@pytest.mark.parametrize(
    ("coefficients", "intercept", "needle"),
    [({"vibes": 1.0}, 0.0, "unknown confidence features"), ({"log_votes": math.nan}, 0.0, "numbers within")],
)
def test_a_calibration_with_unknown_features_or_no_numbers_is_refused(coefficients, intercept, needle) -> None:
    with pytest.raises(ValueError, match=needle):
        Calibration(coefficients, intercept, "prm_weighted_vote", "min")


def test_a_calibration_applies_only_to_the_strategies_it_was_fitted_on() -> None:
    ballots = [ScoredChain("243", 0.9, None), ScoredChain("233", 0.2, None)]
    result = select(ballots, "prm_weighted_vote")
    assert confidence_of(ballots, result, CALIBRATION, "min", strategy="adaptive").calibrated
    searched = confidence_of(ballots, result, CALIBRATION, "min", strategy="particle_filtering")
    assert not searched.calibrated and searched.value == result.confidence


def test_the_checks_features_describe_what_the_checkers_found() -> None:
    ballots = [ScoredChain("243", 0.9, None)] * 3 + [ScoredChain("233", 0.0, None)] * 5
    failed = [False, True, False] + [True] * 5
    unfinished = [True, False, False] + [False] * 5
    result = select(ballots, "prm_weighted_vote")
    features = confidence_features(ballots, result, True, failed, unfinished)
    assert features is not None and result.winner_index == 0
    assert features.winner_failed is False and features.cluster_failed == pytest.approx(1 / 3)
    assert features.vetoed_share == pytest.approx(6 / 8) and features.unfinished_share == pytest.approx(1 / 8)
    assert features.winner_unfinished is True
    plain = confidence_features(ballots, result)
    assert plain is not None and (plain.vetoed_share, plain.winner_unfinished) == (0.0, False)


def test_a_calibration_applies_only_under_the_checkers_it_was_fitted_with() -> None:
    checked = Calibration({"winner_failed": -3.0}, 1.0, "prm_weighted_vote", "min", checkers=("numeric", "arith"))
    ballots = [ScoredChain("243", 0.9, None)] * 4
    result = select(ballots, "prm_weighted_vote")
    assert confidence_of(ballots, result, checked, "min", checkers=("arith", "numeric")).calibrated
    assert not confidence_of(ballots, result, checked, "min", checkers=("numeric",)).calibrated
    assert not confidence_of(ballots, result, checked, "min").calibrated
    both = [CALIBRATION, checked]  # the first that applies is used
    assert confidence_of(ballots, result, both, "min").value == confidence_of(ballots, result, CALIBRATION, "min").value
    vetoed = confidence_of(ballots, result, both, "min", failed=[True] * 4, checkers=("numeric", "arith"))
    assert (
        vetoed.value
        < confidence_of(ballots, result, both, "min", failed=[False] * 4, checkers=("numeric", "arith")).value
    )
