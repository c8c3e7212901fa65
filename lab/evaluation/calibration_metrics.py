"""How well a confidence predicts correctness. Pure functions: no engines, no files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.metrics import roc_auc_score


@dataclass(frozen=True, slots=True)
class Bin:
    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> list[Bin]:
    """Equal-width bins of confidence; empty bins are left out."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidence) if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if idx:
            out.append(
                Bin(
                    lo,
                    hi,
                    len(idx),
                    sum(confidence[i] for i in idx) / len(idx),
                    sum(correct[i] for i in idx) / len(idx),
                )
            )
    return out


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Σ over bins of (bin size / total) · |accuracy − mean confidence| (Guo et al., 2017)."""
    total = len(confidence)
    return sum(b.count / total * abs(b.accuracy - b.mean_confidence) for b in reliability(confidence, correct, bins))


def auc(confidence: Sequence[float], correct: Sequence[bool]) -> float | None:
    """ROC AUC of confidence for correctness; None when only one outcome occurs."""
    if len(set(correct)) < 2:
        return None
    return float(roc_auc_score(list(correct), list(confidence)))


@dataclass(frozen=True, slots=True)
class Selective:
    threshold: float
    answered: float  # share of problems answered (confidence ≥ threshold)
    accuracy: float | None  # of those answered


def selective(confidence: Sequence[float], correct: Sequence[bool], thresholds: Sequence[float]) -> list[Selective]:
    """Accuracy when answering only at or above each confidence threshold."""
    out = []
    for t in thresholds:
        kept = [ok for c, ok in zip(confidence, correct, strict=True) if c >= t]
        out.append(Selective(t, len(kept) / len(confidence), sum(kept) / len(kept) if kept else None))
    return out
