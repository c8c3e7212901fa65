"""`bon eval --strategy checks`: the step checkers' arms side by side, fitted and measured.

1. Validation (the adaptive evaluation's recorded chains, with their steps): one confidence
   calibration per arm (`lab.evaluation.checked.ARMS`: no checks, the calculator, the calculator
   with the task's own grammar), the search rules kept as fitted; all written beside the PRM.
2. Test: every held-out problem and the out-of-range set's test half through the running service
   (`POST /solve`, fixed N=16, the same seed per problem under every arm, the arm in the request's
   `checks`); the in-range problems also under the adaptive search (≤64) without and with the
   calculator, for the tokens a veto saves.
3. Report: accuracy, ECE, ROC AUC, verified precision and wrong-but-verified answers by kind for
   each arm; the checks' own time per request against /solve's (the calculator on 16 recorded
   chains per problem, timed here); `eval_checks.json`, a section of `EVAL.md`, `eval_checks.png`.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.checks.registry import forget
from app.fitted import read_fitted_file
from lab.evaluation.adaptive_fit import fit_confidences
from lab.evaluation.adaptive_run import (
    AdaptiveEvalConfig,
    machine,
    save_answers,
    service_settings,
    validation_samples,
    write_fitted,
)
from lab.evaluation.calibration_metrics import auc, expected_calibration_error
from lab.evaluation.checked import ARMS, chain_checks
from lab.evaluation.checks_report import write_checks_markdown, write_checks_plot
from lab.evaluation.live import Answered, Run, solve_all
from lab.evaluation.metrics import ProblemSamples
from lab.evaluation.samples import Case
from lab.task import arith, out_of_range

N = 16
ADAPTIVE_BUDGET = 64
ADAPTIVE_ARMS = ("no checks", "calculator")


@dataclass(frozen=True, slots=True)
class ChecksEvalConfig:
    adaptive: AdaptiveEvalConfig
    answers_path: Path = Path("runs/eval_checks_answers.jsonl")

    @property
    def out_dir(self) -> Path:
        return self.adaptive.out_dir


def arm_runs() -> tuple[list[Run], list[Run]]:
    """The fixed runs (one per arm), and the adaptive ones (in-range only)."""
    fixed = [Run(f"{name} N={N}", "fixed", N, checks) for name, checks in ARMS.items()]
    adaptive = [
        Run(f"{name} adaptive ≤{ADAPTIVE_BUDGET}", "adaptive", ADAPTIVE_BUDGET, ARMS[name]) for name in ADAPTIVE_ARMS
    ]
    return fixed, adaptive


def test_work(cfg: ChecksEvalConfig) -> list[tuple[Case, list[Run]]]:
    fixed, adaptive = arm_runs()
    in_range = [(Case.in_range(p), fixed + adaptive) for p in arith.problems("test", cfg.adaptive.test_problems)]
    oor = out_of_range.problems("test", cfg.adaptive.out_of_range_problems)
    return in_range + [(Case.out_of_range(p), fixed) for p in oor]


def refit(cfg: ChecksEvalConfig, samples: Sequence[ProblemSamples], command: str) -> list[dict[str, Any]]:
    """A calibration per arm under the search rules already fitted; the file keeps those rules."""
    current = read_fitted_file(cfg.adaptive.calibration_path)
    if current.search is None:
        raise ValueError(f"{cfg.adaptive.calibration_path} has no fitted search rules: run --strategy adaptive first")
    fits = fit_confidences(samples, current.search.rules())
    write_fitted(cfg.adaptive.calibration_path, samples, command, fits, current.search)
    return [f.to_json() for f in fits]


def check_time_ms(samples: Sequence[ProblemSamples], checkers: Sequence[str], chains: int = N) -> float:
    """The mean time the checkers take over `chains` recorded chains of a problem (every step)."""
    times = []
    for s in samples:
        forget()  # as a request's first sight of its problem
        started = time.perf_counter()
        for steps in s.steps[:chains]:
            chain_checks(s.text, steps, checkers)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.fmean(times)


def arm_report(rows: Sequence[Answered]) -> dict[str, Any]:
    in_range = [a for a in rows if a.kind == "in_range"]
    verified = [a for a in rows if a.verified]
    walls = sorted(a.wall_ms for a in in_range)
    kinds = {}
    for kind in dict.fromkeys(a.kind for a in rows):
        of_kind = [a for a in rows if a.kind == kind]
        kinds[kind] = {
            "answers": len(of_kind),
            "accuracy": 100 * statistics.fmean(a.correct for a in of_kind),
            "mean_confidence": statistics.fmean(a.confidence for a in of_kind),
            "verified_share": 100 * statistics.fmean(a.verified for a in of_kind),
            "wrong_but_verified": sum(a.verified and not a.correct for a in of_kind),
            "wrong_but_verified_share": 100 * statistics.fmean(a.verified and not a.correct for a in of_kind),
        }
    return {
        "in_range_accuracy": 100 * statistics.fmean(a.correct for a in in_range),
        "calibrated_share": 100 * statistics.fmean(a.calibrated for a in rows),
        "ece_in_range": expected_calibration_error([a.confidence for a in in_range], [a.correct for a in in_range]),
        "ece_all": expected_calibration_error([a.confidence for a in rows], [a.correct for a in rows]),
        "auc_in_and_out_of_range": auc([a.confidence for a in rows], [a.correct for a in rows]),
        "verified": len(verified),
        "verified_precision": 100 * statistics.fmean(a.correct for a in verified) if verified else None,
        "reasoning_tokens": statistics.fmean(a.reasoning_tokens for a in in_range),
        "wall_ms_p50": statistics.median(walls),
        "by_kind": kinds,
    }


def adaptive_report(rows: Sequence[Answered]) -> dict[str, Any]:
    return {
        "problems": len(rows),
        "accuracy": 100 * statistics.fmean(a.correct for a in rows),
        "reasoning_tokens": statistics.fmean(a.reasoning_tokens for a in rows),
        "chains_started": statistics.fmean(a.chains_started for a in rows),
        "chains_pruned": statistics.fmean(a.chains_pruned for a in rows),
        "wall_ms_p50": statistics.median(a.wall_ms for a in rows),
    }


def run_checks_eval(cfg: ChecksEvalConfig, command: str) -> dict[str, Any]:
    start = time.perf_counter()
    samples = validation_samples(cfg.adaptive)
    fits = refit(cfg, samples, command)
    answers = solve_all(service_settings(cfg.adaptive), test_work(cfg), cfg.adaptive.port)
    save_answers(answers, cfg.answers_path)
    fixed, adaptive = arm_runs()
    in_range = [s for s in samples if s.kind == "in_range"]
    report = {
        "command": command,
        "machine": machine(),
        "seconds": round(time.perf_counter() - start, 1),
        "test_problems": cfg.adaptive.test_problems,
        "out_of_range_problems": cfg.adaptive.out_of_range_problems,
        "n": N,
        "calibrations": fits,
        "arms": {run.name: arm_report([a for a in answers if a.run == run.name]) for run in fixed},
        "adaptive": {run.name: adaptive_report([a for a in answers if a.run == run.name]) for run in adaptive},
        "check_ms_per_request": {
            name: check_time_ms(in_range, checkers) for name, checkers in ARMS.items() if checkers
        },
    }
    write_report(cfg, report)
    return report


def write_report(cfg: ChecksEvalConfig, report: dict[str, Any]) -> None:
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    (cfg.out_dir / "eval_checks.json").write_text(json.dumps(report, indent=2) + "\n")
    write_checks_markdown(report, cfg.out_dir / "EVAL.md")
    write_checks_plot(report, cfg.out_dir / "eval_checks.png")
