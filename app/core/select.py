"""Choosing the answer among N scored chains.

Chains are first grouped by equivalent final answer; each method then picks a group and, within
it, the chain to show. ``prm_weighted_vote`` (the sum of PRM chain scores per answer) is the
strongest of these in the PRM literature; ``majority_vote`` (self-consistency) is the
no-verifier baseline, and ``prm_max`` / ``orm_max`` are plain best-of-N.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.core.equivalence import cluster_answers

Selection = Literal["prm_max", "prm_weighted_vote", "majority_vote", "orm_max"]


class MissingOutcomeScores(ValueError):
    """``orm_max`` was asked for, but some chain was not scored by an outcome reward model."""


@dataclass(frozen=True, slots=True)
class ScoredChain:
    answer: str | None  # None when the chain gave no final answer
    chain_score: float  # the PRM's aggregated step scores, in [0, 1]
    outcome_score: float | None  # the ORM's score, in [0, 1]; None without an ORM

    def __post_init__(self) -> None:
        # A NaN would make every max and sort below silently arbitrary.
        for name, score in (("chain_score", self.chain_score), ("outcome_score", self.outcome_score)):
            if score is not None and not 0.0 <= score <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {score!r}")


@dataclass(frozen=True, slots=True)
class AnswerCluster:
    answer: str  # the answer as its first chain wrote it
    members: tuple[int, ...]  # indices of the chains giving an equivalent answer, ascending
    count: int
    weight: float  # summed chain scores (outcome scores for orm_max)


@dataclass(frozen=True, slots=True)
class SelectionResult:
    winner_index: int | None  # the chain to show: the best-scored one giving the answer
    answer: str | None
    clusters: tuple[AnswerCluster, ...]  # heaviest first
    confidence: float  # the winning cluster's share of the total weight (of the votes for majority_vote)
    method: Selection


def select(chains: Sequence[ScoredChain], method: Selection) -> SelectionResult:
    """The selected answer and the chain that shows it; chains without an answer never win."""
    scores = _scores(chains, method)
    groups = cluster_answers([chain.answer for chain in chains])
    if not groups:
        return SelectionResult(None, None, (), 0.0, method)
    clusters = [
        AnswerCluster(
            answer=_answer_of(chains[members[0]]),
            members=tuple(members),
            count=len(members),
            weight=math.fsum(scores[i] for i in members),
        )
        for members in groups
    ]
    winner = clusters[_winning_cluster(clusters, scores, method)]
    # `max` keeps the first of equal scores: ties go to the chain sampled first.
    winner_index = max(winner.members, key=lambda i: scores[i])
    if method == "majority_vote":
        total = float(sum(cluster.count for cluster in clusters))
        share = winner.count / total
    else:
        total = math.fsum(cluster.weight for cluster in clusters)
        share = winner.weight / total if total > 0 else 0.0
    return SelectionResult(
        winner_index=winner_index,
        answer=winner.answer,
        clusters=tuple(sorted(clusters, key=lambda cluster: cluster.weight, reverse=True)),
        confidence=share,
        method=method,
    )


def _scores(chains: Sequence[ScoredChain], method: Selection) -> list[float]:
    """The score each chain contributes under `method`."""
    if method != "orm_max":
        return [chain.chain_score for chain in chains]
    outcome = [chain.outcome_score for chain in chains]
    missing = [i for i, score in enumerate(outcome) if score is None]
    if missing:
        raise MissingOutcomeScores(f"orm_max needs an outcome score for every chain; chains {missing} have none")
    return [score for score in outcome if score is not None]


def _winning_cluster(clusters: list[AnswerCluster], scores: list[float], method: Selection) -> int:
    """Index of the winning cluster; ties go to the cluster that appeared first."""
    if method == "majority_vote":
        return max(range(len(clusters)), key=lambda c: (clusters[c].count, clusters[c].weight))
    if method == "prm_weighted_vote":
        # Equal weights (every chain vetoed: all zero) go to the answer more chains gave.
        return max(range(len(clusters)), key=lambda c: (clusters[c].weight, clusters[c].count))
    if method in ("prm_max", "orm_max"):
        # The single best chain with an answer wins (the first of equals), and its cluster with it.
        best = max((i for cluster in clusters for i in cluster.members), key=lambda i: (scores[i], -i))
        return next(c for c, cluster in enumerate(clusters) if best in cluster.members)
    raise ValueError(f"unknown selection method {method!r}")


def _answer_of(chain: ScoredChain) -> str:
    if chain.answer is None:  # cluster_answers never puts an unanswered chain in a cluster
        raise AssertionError("a cluster member has no answer")
    return chain.answer
