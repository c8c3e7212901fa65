"""Confidence: the probability that the selected answer is right.

A vote share is not a probability: sixteen chains that agree on an answer whose every chain has
a step the PRM rejects are unanimous and wrong. What the pipeline knows at selection time (the
winner's share of the weight, how well the shown chain and its cluster scored, how many chains
voted and how many agree) goes through a logistic model fitted on the validation split
(`bon eval --strategy adaptive`), and shipped as data beside the reward model it was fitted for
(`bon_calibration.json`). A calibration is only valid for the selection and aggregation it was
fitted under; elsewhere the confidence stays the vote share, and says it is not calibrated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.core.adaptive import Strategy
from app.core.aggregate import Aggregation
from app.core.select import ScoredChain, Selection, SelectionResult

_MAX_COEFFICIENT = 1e4  # far beyond any fit; a larger one is a broken file, and could overflow a sum
# Scores of a very good PRM sit within 1e-4 of 0 and 1; the logit keeps them apart up to here.
_EPS = 1e-6


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True, slots=True)
class ConfidenceFeatures:
    """What the selection tells about its own answer."""

    share: float  # the winning cluster's share of the selection weight
    winner_score: float  # the shown chain's score: the best chain giving the answer
    mean_score: float  # the winning cluster's mean chain score
    votes: int  # chains that voted
    agreement: float  # the winning cluster's share of the votes
    # Whether the problem is of the kind the generator was trained on (its format's `domain`; True
    # where the format declares none): a reward model trained on the same kind can be confidently
    # wrong outside it, approving steps that read the problem as one of its own.
    in_domain: bool = True
    # What the step checkers found (all 0 where none ran): whether the shown chain has a step
    # found false, the share of the winning cluster's chains that have one, and the share of all
    # chains that have one (a generator that slips in most chains is lost on this problem, and
    # the few chains left standing are often as wrong, in ways a calculator cannot see).
    winner_failed: bool = False
    cluster_failed: float = 0.0
    vetoed_share: float = 0.0
    # Whether the shown chain, and what share of all chains, set a computation equal to nothing
    # and went on (`37-82=`): no claim is false, but what follows rests on a number never computed.
    winner_unfinished: bool = False
    unfinished_share: float = 0.0

    def design(self) -> dict[str, float]:
        """The model's inputs: log-odds of the probabilities and log of the count, how much the
        count strengthens each score (a share of one vote says less than a share of 64), and the
        scores as they are (a logit tells 0.999 from 0.9999 better than it tells 0.6 from 0.9)."""
        share, winner, mean = _logit(self.share), _logit(self.winner_score), _logit(self.mean_score)
        votes = math.log(self.votes)
        return {
            "logit_share": share,
            "logit_winner_score": winner,
            "logit_mean_score": mean,
            "log_votes": votes,
            "logit_agreement": _logit(self.agreement),
            "logit_share_x_log_votes": share * votes,
            "logit_winner_score_x_log_votes": winner * votes,
            "logit_mean_score_x_log_votes": mean * votes,
            "log_votes_squared": votes * votes,
            "share": self.share,
            "winner_score": self.winner_score,
            "out_of_domain": 0.0 if self.in_domain else 1.0,
            "winner_failed": 1.0 if self.winner_failed else 0.0,
            "cluster_failed": self.cluster_failed,
            "vetoed_share": self.vetoed_share,
            "winner_unfinished": 1.0 if self.winner_unfinished else 0.0,
            "unfinished_share": self.unfinished_share,
        }


FEATURES: tuple[str, ...] = (
    "logit_share",
    "logit_winner_score",
    "logit_mean_score",
    "log_votes",
    "logit_agreement",
    "logit_share_x_log_votes",
    "logit_winner_score_x_log_votes",
    "logit_mean_score_x_log_votes",
    "log_votes_squared",
    "share",
    "winner_score",
    "out_of_domain",
    "winner_failed",
    "cluster_failed",
    "vetoed_share",
    "winner_unfinished",
    "unfinished_share",
)


def confidence_features(
    ballots: Sequence[ScoredChain],
    result: SelectionResult,
    in_domain: bool = True,
    failed: Sequence[bool] | None = None,
    unfinished: Sequence[bool] | None = None,
) -> ConfidenceFeatures | None:
    """The features of a selection over `ballots` (`failed`: whether each has a step a checker
    found false; `unfinished`: one with a computation set equal to nothing); None when it selected
    no answer."""
    if result.winner_index is None or result.answer is None:
        return None
    cluster = next(c for c in result.clusters if result.winner_index in c.members)
    scores = [ballots[i].chain_score for i in cluster.members]
    votes = sum(c.count for c in result.clusters)
    return ConfidenceFeatures(
        share=result.confidence,
        winner_score=ballots[result.winner_index].chain_score,
        mean_score=math.fsum(scores) / len(scores),
        votes=votes,
        agreement=cluster.count / votes,
        in_domain=in_domain,
        winner_failed=bool(failed and failed[result.winner_index]),
        cluster_failed=sum(bool(failed and failed[i]) for i in cluster.members) / len(cluster.members),
        vetoed_share=sum(bool(f) for f in failed) / len(failed) if failed else 0.0,
        winner_unfinished=bool(unfinished and unfinished[result.winner_index]),
        unfinished_share=sum(bool(u) for u in unfinished) / len(unfinished) if unfinished else 0.0,
    )


@dataclass(frozen=True, slots=True)
class Calibration:
    """P(answer right) = σ(intercept + Σ coefficient · feature), for one selection and aggregation."""

    coefficients: Mapping[str, float]
    intercept: float
    selection: Selection
    aggregation: Aggregation
    # The most votes the fit saw: more are read as this many (a model of log votes, squared, must
    # not be extrapolated to the hundreds of chains a long-continued answer may have).
    max_votes: int | None = None
    # The strategies whose answers the fit saw: another's chains are not distributed as these were
    # (a step-level search's population holds copies of the chains the PRM liked).
    strategies: tuple[Strategy, ...] = ("fixed", "adaptive")
    # The step checkers whose verdicts capped the scores the fit saw: under others (or none) the
    # scores are not distributed as these were.
    checkers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.coefficients) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown confidence features: {', '.join(sorted(unknown))}")
        values = [*self.coefficients.values(), self.intercept]
        if not all(math.isfinite(v) and abs(v) <= _MAX_COEFFICIENT for v in values):
            raise ValueError(f"a calibration's coefficients must be numbers within ±{_MAX_COEFFICIENT:g}")
        if self.max_votes is not None and self.max_votes < 1:
            raise ValueError("max_votes must be at least 1")

    def applies_to(
        self,
        selection: Selection,
        aggregation: Aggregation,
        strategy: Strategy = "fixed",
        checkers: Sequence[str] = (),
    ) -> bool:
        return (
            selection == self.selection
            and aggregation == self.aggregation
            and strategy in self.strategies
            and set(checkers) == set(self.checkers)
        )

    def probability(self, features: ConfidenceFeatures) -> float:
        if self.max_votes is not None and features.votes > self.max_votes:
            features = replace(features, votes=self.max_votes)
        x = features.design()
        z = self.intercept + math.fsum(w * x[name] for name, w in self.coefficients.items())
        # The two branches keep exp() from overflowing at either end.
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def to_json(self) -> dict[str, Any]:
        return {
            "coefficients": dict(self.coefficients),
            "intercept": self.intercept,
            "selection": self.selection,
            "aggregation": self.aggregation,
            "max_votes": self.max_votes,
            "strategies": list(self.strategies),
            "checkers": list(self.checkers),
        }


@dataclass(frozen=True, slots=True)
class Confidence:
    value: float  # a probability when calibrated, else the vote share
    calibrated: bool


def confidence_of(
    ballots: Sequence[ScoredChain],
    result: SelectionResult,
    calibration: Calibration | Sequence[Calibration] | None,
    aggregation: Aggregation,
    in_domain: bool = True,
    strategy: Strategy = "fixed",
    failed: Sequence[bool] | None = None,
    checkers: Sequence[str] = (),
    unfinished: Sequence[bool] | None = None,
) -> Confidence:
    """The answer's confidence: calibrated by the first of the calibrations that applies to this
    selection, aggregation, strategy and set of step checkers (`failed`: each ballot's checks, see
    `confidence_features`); else the vote share."""
    candidates = [calibration] if isinstance(calibration, Calibration) else list(calibration or ())
    fit = next((c for c in candidates if c.applies_to(result.method, aggregation, strategy, checkers)), None)
    if fit is None:
        return Confidence(result.confidence, calibrated=False)
    features = confidence_features(ballots, result, in_domain, failed, unfinished)
    if features is None:  # no answer: nothing can be right
        return Confidence(0.0, calibrated=True)
    return Confidence(fit.probability(features), calibrated=True)
