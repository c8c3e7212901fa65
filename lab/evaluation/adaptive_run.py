"""`bon eval --strategy adaptive`: fit on the validation split, measure on the test split.

1. Validation: 64 chains per problem, each step scored (cached as JSON lines: sampling is paid
   once), on in-range problems and the validation half of the out-of-range set.
2. Fit (replays, no engine): the adaptive search's thresholds and the confidence calibration,
   written beside the PRM as `bon_calibration.json`, which the service reads at start-up.
3. Test: every held-out problem through the running service (`POST /solve`) under fixed N = 1…64
   and the adaptive search at several budgets; the test half of the out-of-range set under the
   two defaults (fixed N=16 and adaptive ≤64). Accuracy, reasoning tokens and wall-clock are the
   service's own, and so is the confidence.
4. Report: `eval_adaptive.json`, a section of `EVAL.md`, `eval_adaptive.png` (accuracy against
   tokens and against wall-clock) and `calibration.png` (reliability diagram).
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.config import AdaptiveSettings, Settings
from app.core.confidence import Calibration
from app.fitted import CALIBRATION_FILE, CalibrationSpec, FittedFile
from lab.evaluation import samples as sampling
from lab.evaluation.adaptive_fit import (
    ADAPTIVE_BUDGETS,
    FIXED_NS,
    GRID,
    TOKEN_SHARE,
    evaluate_rules,
    fit_confidences,
    fit_search_rules,
    fixed_score,
)
from lab.evaluation.adaptive_report import write_adaptive_markdown, write_calibration_plot, write_pareto_plot
from lab.evaluation.calibration_metrics import auc, expected_calibration_error, reliability, selective
from lab.evaluation.live import Answered, Run, runs_for, solve_all
from lab.evaluation.metrics import ProblemSamples
from lab.evaluation.samples import Case, SamplingConfig
from lab.task import arith, out_of_range

DEFAULT_RUNS = ("fixed N=16", "adaptive ≤64")  # what /solve and the OpenAI routes answer with
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)


@dataclass(frozen=True, slots=True)
class AdaptiveEvalConfig:
    generator_dir: Path
    prm_dir: Path
    out_dir: Path
    validation_problems: int = 500
    test_problems: int = 500
    out_of_range_problems: int = 210  # each half: validation and test
    seed: int = 0
    port: int = 8791
    validation_samples: Path = Path("runs/validation_samples.jsonl")
    answers_path: Path = Path("runs/eval_adaptive_answers.jsonl")
    verified_threshold: float = 0.9

    @property
    def calibration_path(self) -> Path:
        return self.prm_dir / CALIBRATION_FILE


def service_settings(cfg: AdaptiveEvalConfig) -> Settings:
    """The embedded default with the shipped models and what was fitted beside the PRM."""
    return Settings(
        generator_model=str(cfg.generator_dir),
        prm_model=str(cfg.prm_dir),
        calibration=cfg.calibration_path,
        verified_threshold=cfg.verified_threshold,
        request_timeout_s=600,
        port=cfg.port,
    )


def validation_cases(cfg: AdaptiveEvalConfig) -> list[Case]:
    cases = [Case.in_range(p) for p in arith.problems("validation", cfg.validation_problems)]
    return cases + [Case.out_of_range(p) for p in out_of_range.problems("validation", cfg.out_of_range_problems)]


def validation_samples(cfg: AdaptiveEvalConfig) -> list[ProblemSamples]:
    """The validation split's recorded chains: from the cache when it holds exactly these problems."""
    cases = validation_cases(cfg)
    if cfg.validation_samples.is_file():
        cached = sampling.load(cfg.validation_samples)
        if [s.text for s in cached] == [c.text for c in cases]:
            return cached
    how = SamplingConfig(cfg.generator_dir, cfg.prm_dir, None, n=64, seed=cfg.seed, greedy=False)
    collected = sampling.collect(how, cases)
    sampling.save(collected, cfg.validation_samples)
    return collected


def fit(cfg: AdaptiveEvalConfig, samples: Sequence[ProblemSamples], command: str) -> dict[str, Any]:
    """Fit both, write the calibration file, and say what the fit saw."""
    in_range = [s for s in samples if s.kind == "in_range"]
    best, tried = fit_search_rules(in_range)
    rules = best.settings.rules()
    calibration, *more = fit_confidences(samples, rules)
    fixed64_accuracy, fixed64_tokens = fixed_score(in_range, 64)
    write_fitted(cfg.calibration_path, samples, command, [calibration, *more], best.settings)
    return {
        "rules": best.settings.model_dump(),
        "grid": {k: list(v) for k, v in GRID.items()},
        "rules_tried": len(tried),
        "token_share_cap": TOKEN_SHARE,
        "validation": {
            "adaptive_accuracy": best.accuracy,
            "adaptive_tokens": best.tokens,
            "fixed64_accuracy": fixed64_accuracy,
            "fixed64_tokens": fixed64_tokens,
            "previous_defaults": _score(evaluate_rules(in_range, type(best.settings)())),
        },
        "calibration": calibration.to_json(),
    }


def _score(score: Any) -> dict[str, float]:
    return {"accuracy": score.accuracy, "tokens": score.tokens}


def write_fitted(
    path: Path, samples: Sequence[ProblemSamples], command: str, fits: Sequence[Calibration], search: AdaptiveSettings
) -> None:
    """The calibration file: the first fit is the default's, the others' follow."""
    in_range = sum(s.kind == "in_range" for s in samples)
    fitted = FittedFile(
        fitted_on=f"{in_range} validation problems of the arith task and {len(samples) - in_range} "
        f"out of its range, 64 chains each; `{command}`",
        confidence=CalibrationSpec.model_validate(fits[0].to_json()),
        more_confidence=[CalibrationSpec.model_validate(f.to_json()) for f in fits[1:]],
        search=search,
    )
    path.write_text(fitted.model_dump_json(indent=2) + "\n")


def test_work(cfg: AdaptiveEvalConfig) -> list[tuple[Case, list[Run]]]:
    runs = runs_for(FIXED_NS, ADAPTIVE_BUDGETS)
    defaults = [r for r in runs if r.name in DEFAULT_RUNS]
    work: list[tuple[Case, list[Run]]] = [(Case.in_range(p), runs) for p in arith.problems("test", cfg.test_problems)]
    oor = out_of_range.problems("test", cfg.out_of_range_problems)
    return work + [(Case.out_of_range(p), defaults) for p in oor]


def summarize_runs(answers: Sequence[Answered]) -> dict[str, Any]:
    by_run: dict[str, list[Answered]] = {}
    for a in answers:
        by_run.setdefault(a.run, []).append(a)
    table = {}
    for name, rows in by_run.items():
        in_range = [a for a in rows if a.kind == "in_range"]
        if not in_range:
            continue
        walls = sorted(a.wall_ms for a in in_range)
        table[name] = {
            "strategy": in_range[0].strategy,
            "chains_allowed": in_range[0].chains_allowed,
            "problems": len(in_range),
            "accuracy": 100 * statistics.fmean(a.correct for a in in_range),
            "reasoning_tokens": statistics.fmean(a.reasoning_tokens for a in in_range),
            "chains_started": statistics.fmean(a.chains_started for a in in_range),
            "chains_pruned": statistics.fmean(a.chains_pruned for a in in_range),
            "wall_ms_mean": statistics.fmean(walls),
            "wall_ms_p50": statistics.median(walls),
            "wall_ms_p90": walls[int(0.9 * (len(walls) - 1))],
            "stops": dict(Counter(a.stop_reason for a in in_range if a.stop_reason).most_common()),
            "verified_share": 100 * statistics.fmean(a.verified for a in in_range),
        }
    return table


def calibration_report(answers: Sequence[Answered], threshold: float) -> dict[str, Any]:
    """ECE on in-range problems (each run, and all pooled); ROC AUC on in-range and out-of-range
    together for the default runs; selective accuracy; the out-of-range set by kind."""
    out: dict[str, Any] = {"per_run": {}, "verified_threshold": threshold}
    in_range = [a for a in answers if a.kind == "in_range"]
    for name in dict.fromkeys(a.run for a in in_range):
        rows = [a for a in in_range if a.run == name]
        out["per_run"][name] = {"ece": _ece(rows), "auc": auc([a.confidence for a in rows], [a.correct for a in rows])}
    out["ece_in_range_all_runs"] = _ece(in_range)
    out["in_range_reliability"] = [
        asdict(b) for b in reliability([a.confidence for a in in_range], [a.correct for a in in_range])
    ]
    defaults = [a for a in answers if a.run in DEFAULT_RUNS]
    conf, ok = [a.confidence for a in defaults], [a.correct for a in defaults]
    out["defaults"] = {
        "runs": list(DEFAULT_RUNS),
        "answers": len(defaults),
        "out_of_range_answers": sum(a.kind != "in_range" for a in defaults),
        "ece": expected_calibration_error(conf, ok),
        "ece_in_range": _ece([a for a in defaults if a.kind == "in_range"]),
        "auc_in_and_out_of_range": auc(conf, ok),
        "reliability": [asdict(b) for b in reliability(conf, ok)],
        "selective": [asdict(s) for s in selective(conf, ok, THRESHOLDS)],
    }
    kinds: dict[str, Any] = {}
    for kind in dict.fromkeys(a.kind for a in defaults):
        rows = [a for a in defaults if a.kind == kind]
        kinds[kind] = {
            "answers": len(rows),
            "accuracy": 100 * statistics.fmean(a.correct for a in rows),
            "mean_confidence": statistics.fmean(a.confidence for a in rows),
            "verified_share": 100 * statistics.fmean(a.verified for a in rows),
            "wrong_but_verified": sum(a.verified and not a.correct for a in rows),
        }
    out["by_kind"] = kinds
    return out


def _ece(rows: Sequence[Answered]) -> float:
    return expected_calibration_error([a.confidence for a in rows], [a.correct for a in rows])


def save_answers(answers: Sequence[Answered], path: Path) -> None:
    """Every answer, to re-read (`load_answers`) without the hour it took."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for a in answers:
            f.write(json.dumps(a.to_json()) + "\n")


def machine() -> str:
    return f"{platform.machine()}, {platform.processor() or 'cpu'}, 2 CPU cores, vLLM CPU backend"


def load_answers(path: Path) -> list[Answered]:
    with path.open() as f:
        return [Answered(**json.loads(line)) for line in f if line.strip()]


def rewrite_report(cfg: AdaptiveEvalConfig) -> dict[str, Any]:
    """The report again from the answers and the fit already recorded (no engine, no fit): for a
    change to the report itself."""
    previous = json.loads((cfg.out_dir / "eval_adaptive.json").read_text())
    answers = load_answers(cfg.answers_path)
    report = previous | {
        "runs": summarize_runs(answers),
        "calibration": calibration_report(answers, previous["calibration"]["verified_threshold"]),
    }
    _write(cfg, report)
    return report


def _write(cfg: AdaptiveEvalConfig, report: dict[str, Any]) -> None:
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    (cfg.out_dir / "eval_adaptive.json").write_text(json.dumps(report, indent=2) + "\n")
    write_adaptive_markdown(report, cfg.out_dir / "EVAL.md")
    write_pareto_plot(report, cfg.out_dir / "eval_adaptive.png")
    write_calibration_plot(report, cfg.out_dir / "calibration.png")


def run_adaptive_eval(cfg: AdaptiveEvalConfig, command: str) -> dict[str, Any]:
    start = time.perf_counter()
    samples = validation_samples(cfg)
    fitted = fit(cfg, samples, command)
    answers = solve_all(service_settings(cfg), test_work(cfg), cfg.port)
    save_answers(answers, cfg.answers_path)
    report = {
        "command": command,
        "machine": machine(),
        "seconds": round(time.perf_counter() - start, 1),
        "test_problems": cfg.test_problems,
        "out_of_range_problems": cfg.out_of_range_problems,
        "fit": fitted,
        "runs": summarize_runs(answers),
        "calibration": calibration_report(answers, cfg.verified_threshold),
    }
    _write(cfg, report)
    return report
