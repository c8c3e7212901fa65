"""Best-of-N and step-level metrics on scored samples. Pure functions: no engines, no files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sklearn.metrics import roc_auc_score

from app.core.aggregate import Aggregation, aggregate
from app.core.select import ScoredChain, Selection, select

AGGREGATIONS: tuple[Aggregation, ...] = ("min", "prod", "last")


@dataclass(frozen=True, slots=True)
class ProblemSamples:
    """Everything known about one test problem's samples, in sampling order."""

    answer: str  # the reference answer
    greedy_correct: bool
    answers: list[str | None]
    correct: list[bool]
    step_scores: list[list[float]]  # PRM, per step
    outcome_scores: list[float]  # ORM, its last-step score
    step_right: list[list[bool]]  # the checker's step labels
    first_error: list[int | None]
    text: str = ""
    kind: str = "in_range"  # or the out-of-range kind (lab/task/out_of_range.py): no step labels then
    step_tokens: list[list[int]] = field(default_factory=list)  # tokens each step took, per chain
    finish_reasons: list[str | None] = field(default_factory=list)  # "length": cut off, does not vote
    steps: list[list[str]] = field(default_factory=list)  # each chain's steps, as the PRM read them
    # Each chain has a step a step checker found false (`lab.evaluation.checked`; empty: none ran).
    failed: list[bool] = field(default_factory=list)
    unfinished: list[bool] = field(default_factory=list)  # a computation set equal to nothing


def method_names() -> list[str]:
    names = ["oracle", "majority_vote", "orm_max"]
    names += [f"prm_max_{a}" for a in AGGREGATIONS]
    names += [f"prm_weighted_vote_{a}" for a in AGGREGATIONS]
    return names


def _pick(group: Sequence[int], s: ProblemSamples, method: Selection, how: Aggregation) -> bool:
    chains = [ScoredChain(s.answers[i], aggregate(s.step_scores[i], how), s.outcome_scores[i]) for i in group]
    result = select(chains, method)
    return result.winner_index is not None and s.correct[group[result.winner_index]]


def group_accuracy(group: Sequence[int], s: ProblemSamples) -> dict[str, float]:
    """Which methods pick a right answer from this group of samples (1.0 or 0.0 each)."""
    out = {
        "oracle": float(any(s.correct[i] for i in group)),
        "majority_vote": float(_pick(group, s, "majority_vote", "min")),
        "orm_max": float(_pick(group, s, "orm_max", "min")),
    }
    for how in AGGREGATIONS:
        out[f"prm_max_{how}"] = float(_pick(group, s, "prm_max", how))
        out[f"prm_weighted_vote_{how}"] = float(_pick(group, s, "prm_weighted_vote", how))
    return out


def best_of_n(samples: Sequence[ProblemSamples], n: int) -> dict[str, float]:
    """Accuracy of each method at N=n, averaged over the disjoint groups of n samples per problem
    (64 samples give 64/n independent draws of size n: less noise than one draw)."""
    totals = dict.fromkeys(method_names(), 0.0)
    for s in samples:
        k = len(s.answers) // n
        for g in range(k):
            for name, v in group_accuracy(range(g * n, (g + 1) * n), s).items():
                totals[name] += v / k
    return {name: 100.0 * v / len(samples) for name, v in totals.items()}


def step_auc(samples: Sequence[ProblemSamples]) -> float:
    """ROC AUC of the PRM's step scores against the checker's step labels (right = positive)."""
    y, p = [], []
    for s in samples:
        for labels, scores in zip(s.step_right, s.step_scores, strict=True):
            y += labels
            p += scores
    return float(roc_auc_score(y, p))


def predicted_first_error(scores: Sequence[float], threshold: float) -> int | None:
    return next((i for i, v in enumerate(scores) if v < threshold), None)


def first_error_f1(samples: Sequence[ProblemSamples], threshold: float = 0.5) -> dict[str, float]:
    """ProcessBench's metric: the harmonic mean of exact first-error accuracy on erroneous
    chains and of no-error accuracy on fully correct chains."""
    err_hits = err_total = ok_hits = ok_total = 0
    for s in samples:
        for scores, first in zip(s.step_scores, s.first_error, strict=True):
            pred = predicted_first_error(scores, threshold)
            if first is None:
                ok_total += 1
                ok_hits += pred is None
            else:
                err_total += 1
                err_hits += pred == first
    err_acc = err_hits / max(err_total, 1)
    ok_acc = ok_hits / max(ok_total, 1)
    f1 = 2 * err_acc * ok_acc / (err_acc + ok_acc) if err_acc + ok_acc else 0.0
    return {
        "f1": 100 * f1,
        "error_accuracy": 100 * err_acc,
        "correct_accuracy": 100 * ok_acc,
        "erroneous_chains": err_total,
        "correct_chains": ok_total,
    }
