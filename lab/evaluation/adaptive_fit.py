"""Fit the adaptive search's thresholds and the confidence calibration on the validation split.

Both fits read replays of recorded chains (`lab.evaluation.replay`), never the test split:

- Search rules: every rule on a grid is replayed on every validation problem; the rule kept is
  the most accurate of those that spend at most `TOKEN_SHARE` of fixed N=64's reasoning tokens
  (headroom under the 25% the service promises: the live pipeline also pays for the tokens a
  chain decodes while its abort is on its way), and of rules as accurate as it within a tenth
  of a point, the quickest (fewest tokens decoded in sequence), then the cheapest.
- Confidence, in two stages. A logistic regression of "the selected answer is right" on the
  selection's features (`app.core.confidence`), over the outcomes of fixed N = 1…64 and of the
  fitted search at several budgets on the task's own problems: calibrated for the traffic the
  models were made for. Then one more coefficient, for a problem outside the generator's domain,
  set on the validation half of the out-of-range set so that the mean confidence there equals
  its accuracy (with one right and one wrong answer added: every such answer there is wrong, and
  a maximum-likelihood fit would send the coefficient to minus infinity). Fitting both at once
  let the out-of-range answers the domain cannot flag (a running value below zero) drag every
  in-range confidence down.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

from app.config import AdaptiveSettings
from app.core.adaptive import SearchBudget, SearchRules
from app.core.confidence import FEATURES, Calibration, confidence_features
from lab.evaluation.checked import ARMS, under_checks
from lab.evaluation.metrics import ProblemSamples
from lab.evaluation.replay import Replayed, fixed, replay
from lab.task import arith

FIXED_NS = (1, 2, 4, 8, 16, 32, 64)
ADAPTIVE_BUDGETS = (8, 16, 32, 64)  # max_chains

# The grid the search rules are chosen from (prune_relative 0: the absolute floor alone prunes
# as well on this PRM, whose scores of a wrong step sit near 0 whatever the best chain scores).
GRID = {
    "wave": (2, 4, 8),
    "prune_floor": (0.0, 0.05, 0.2, 0.4, 0.6),
    "stop_margin": (0.5, 1.0, 1.5, 2.0, 3.0),
    "stop_share": (0.5, 0.6, 0.75, 0.9),
    "stop_min_votes": (2, 3, 4),
}
TOKEN_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class RuleScore:
    settings: AdaptiveSettings
    accuracy: float  # %
    tokens: float  # mean reasoning tokens per problem
    ticks: float  # mean tokens decoded in sequence (the replay's latency)


def evaluate_rules(samples: Sequence[ProblemSamples], settings: AdaptiveSettings, max_chains: int = 64) -> RuleScore:
    rules = settings.rules()
    runs = [replay(s, SearchBudget(max_chains), rules) for s in samples]
    return RuleScore(
        settings,
        100 * statistics.fmean(r.correct for r in runs),
        statistics.fmean(r.tokens for r in runs),
        statistics.fmean(r.ticks for r in runs),
    )


def fixed_score(samples: Sequence[ProblemSamples], n: int) -> tuple[float, float]:
    """Accuracy (%) and mean tokens of fixed N=n, over the disjoint groups of n recorded chains."""
    right, tokens, groups = 0.0, 0.0, 0
    for s in samples:
        k = len(s.answers) // n
        for g in range(k):
            r = fixed(s, range(g * n, (g + 1) * n))
            right += r.correct / k
            tokens += r.tokens / k
        groups += 1
    return 100 * right / groups, tokens / groups


def fit_search_rules(samples: Sequence[ProblemSamples]) -> tuple[RuleScore, list[RuleScore]]:
    """The rule chosen on the grid (see the module's docstring), and every rule tried."""
    _, cap = fixed_score(samples, 64)
    tried = []
    names = list(GRID)
    for values in tqdm(list(itertools.product(*GRID.values())), desc="search rules", mininterval=2.0):
        tried.append(evaluate_rules(samples, AdaptiveSettings(**dict(zip(names, values, strict=True)))))
    cheap = [r for r in tried if r.tokens <= TOKEN_SHARE * cap] or [min(tried, key=lambda r: r.tokens)]
    best = max(r.accuracy for r in cheap)
    return min((r for r in cheap if r.accuracy >= best - 0.1), key=lambda r: (r.ticks, r.tokens)), tried


def outcomes(samples: Sequence[ProblemSamples], rules: SearchRules, groups_per_n: int = 4) -> list[Replayed]:
    """What the service would answer on each problem: fixed N = 1…64 (up to `groups_per_n`
    disjoint groups each) and the search at each budget."""
    out = []
    for s in samples:
        for n in FIXED_NS:
            for g in range(min(len(s.answers) // n, groups_per_n)):
                out.append(fixed(s, range(g * n, (g + 1) * n)))
        out += [replay(s, SearchBudget(b), rules) for b in ADAPTIVE_BUDGETS]
    return out


IN_DOMAIN_FEATURES = tuple(name for name in FEATURES if name != "out_of_domain")


def design_matrix(runs: Sequence[Replayed]) -> tuple[np.ndarray, np.ndarray]:
    """Features (but the domain's) and labels of the runs that selected an answer (one with none
    is never right, and its confidence is 0 without a model)."""
    rows, labels = [], []
    for r in runs:
        features = confidence_features(r.ballots, r.result, r.in_domain, r.failed, r.unfinished)
        if features is None:
            continue
        design = features.design()
        rows.append([design[name] for name in IN_DOMAIN_FEATURES])
        labels.append(r.correct)
    return np.array(rows), np.array(labels, dtype=int)


def fit_confidences(samples: Sequence[ProblemSamples], rules: SearchRules) -> list[Calibration]:
    """One calibration per set of step checkers the service may run (`ARMS`), the shipped task's
    default set (its format's `checkers`) first: a veto changes the scores, so a fit under one set
    says nothing of answers under another.

    Each checked arm keeps the unchecked fit's reading of the scores and adds only what the checks
    tell (`CHECK_FEATURES` and a shift), fitted on the task's problems and on the out-of-range
    ones its domain cannot flag (a running value below zero): there the checks are what tells them
    apart, where the unchecked fit had nothing to (see the module's docstring). Fitted freely, the
    few answers a veto leaves with a low score or a split vote (dozens in thousands) would decide
    what those mean."""
    default = set(arith.NOTATION.checkers)
    in_range = [s for s in samples if s.kind == "in_range"]
    others = [s for s in samples if s.kind != "in_range"]

    def runs(checkers: Sequence[str]) -> tuple[list[Replayed], list[Replayed]]:
        outside = outcomes([under_checks(s, checkers) for s in others], rules)
        unflagged = [r for r in outside if r.in_domain] if checkers else []
        inside = outcomes([under_checks(s, checkers) for s in in_range], rules)
        return inside + unflagged, [r for r in outside if not r.in_domain]

    base = fit_calibration(*runs(()))
    fits = [base] + [fit_calibration(*runs(checkers), checkers, base) for checkers in ARMS.values() if checkers]
    return sorted(fits, key=lambda fit: set(fit.checkers) != default)


def fit_calibration(
    in_range: Sequence[Replayed],
    out_of_domain: Sequence[Replayed],
    checkers: Sequence[str] = (),
    base: Calibration | None = None,
) -> Calibration:
    """The two stages (see the module's docstring), on chains scored under `checkers`; with a
    `base`, its coefficients are kept and only the checks' and a shift of the intercept fitted."""
    x, y = design_matrix(in_range)
    if base is None:
        model = LogisticRegression(C=10.0, max_iter=20000).fit(x, y)
        weights, intercept = model.coef_[0], float(model.intercept_[0])
    else:
        weights, intercept = _with_checks(x, y, base)
    coefficients = {name: float(w) for name, w in zip(IN_DOMAIN_FEATURES, weights, strict=True)}
    x_out, y_out = design_matrix(out_of_domain)
    z = x_out @ weights + intercept if len(x_out) else np.zeros(0)
    target = (y_out.sum() + 1) / (len(y_out) + 2)

    def gap(shift: float) -> float:
        return float(np.mean(1.0 / (1.0 + np.exp(-(z + shift))))) - target if len(z) else 0.0

    coefficients["out_of_domain"] = brentq(gap, -60.0, 60.0) if len(z) else 0.0
    return Calibration(
        coefficients=coefficients,
        intercept=intercept,
        selection="prm_weighted_vote",
        aggregation="min",
        max_votes=max((r.started for r in in_range), default=None),
        checkers=tuple(checkers),
    )


CHECK_FEATURES = ("winner_failed", "cluster_failed", "vetoed_share", "winner_unfinished", "unfinished_share")


def _with_checks(x: np.ndarray, y: np.ndarray, base: Calibration) -> tuple[np.ndarray, float]:
    """The base's weights plus the checks' (a little L2), and its intercept plus a fitted shift."""
    weights = np.array([base.coefficients.get(name, 0.0) for name in IN_DOMAIN_FEATURES])
    columns = [IN_DOMAIN_FEATURES.index(name) for name in CHECK_FEATURES]
    offset = x @ weights + base.intercept

    def loss(p: np.ndarray) -> float:
        z = offset + p[0] + x[:, columns] @ p[1:]
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.1 * np.sum(p[1:] ** 2))

    p = minimize(loss, np.zeros(1 + len(columns)), method="L-BFGS-B").x
    weights[columns] += p[1:]
    return weights, base.intercept + float(p[0])
