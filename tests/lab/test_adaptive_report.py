"""The adaptive evaluation's report, from answers made up here: the tables, the section of
EVAL.md that replaces itself, the plots, and the calibration metrics."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from lab.evaluation.adaptive_report import (
    replace_section,
    write_adaptive_markdown,
    write_calibration_plot,
    write_pareto_plot,
)
from lab.evaluation.adaptive_run import calibration_report, summarize_runs
from lab.evaluation.calibration_metrics import auc, expected_calibration_error, reliability, selective
from lab.evaluation.live import Answered, runs_for


def made_up_answers(seed: int = 0) -> list[Answered]:
    rng = random.Random(seed)
    out = []
    for i in range(40):
        kind = "in_range" if i < 30 else "nested"
        for run in runs_for((1, 16, 64), (16, 64)):
            if kind != "in_range" and run.name not in ("fixed N=16", "adaptive ≤64"):
                continue
            confidence = rng.random() if kind == "in_range" else rng.random() / 10
            out.append(
                Answered(
                    run=run.name,
                    strategy=run.strategy,
                    chains_allowed=run.chains,
                    problem=f"p{i}",
                    kind=kind,
                    correct=rng.random() < confidence,
                    answer="1",
                    confidence=confidence,
                    calibrated=True,
                    verified=confidence >= 0.9,
                    reasoning_tokens=40 * run.chains if run.strategy == "fixed" else 10 * run.chains,
                    chains_started=run.chains,
                    chains_pruned=0,
                    stop_reason=None if run.strategy == "fixed" else "decided",
                    wall_ms=10.0 + run.chains,
                    clusters=[],
                    step_scores=[],
                )
            )
    return out


def report_of(answers: list[Answered]) -> dict:
    fit = {
        "rules": {"wave": 4, "prune_floor": 0.2, "stop_margin": 0.5, "stop_share": 0.5, "stop_min_votes": 3},
        "rules_tried": 900,
        "token_share_cap": 0.2,
        "validation": {
            "adaptive_accuracy": 89.6,
            "adaptive_tokens": 445.0,
            "fixed64_accuracy": 89.2,
            "fixed64_tokens": 2596.0,
            "previous_defaults": {"accuracy": 89.0, "tokens": 506.0},
        },
    }
    return {
        "command": "bon eval --strategy adaptive",
        "machine": "a test",
        "seconds": 1.0,
        "test_problems": 30,
        "fit": fit,
        "runs": summarize_runs(answers),
        "calibration": calibration_report(answers, 0.9),
    }


def test_the_report_has_every_run_and_the_section_replaces_itself(tmp_path: Path) -> None:
    report = report_of(made_up_answers())
    assert list(report["runs"]) == ["fixed N=1", "fixed N=16", "fixed N=64", "adaptive ≤16", "adaptive ≤64"]
    assert report["runs"]["fixed N=64"]["problems"] == 30  # out-of-range answers are not in the table
    assert set(report["calibration"]["by_kind"]) == {"in_range", "nested"}
    md = tmp_path / "EVAL.md"
    md.write_text("# Best-of-N\n\nthe fixed table\n")
    write_adaptive_markdown(report, md)
    write_adaptive_markdown(report, md)  # a second run replaces its section, keeps the rest
    text = md.read_text()
    assert text.startswith("# Best-of-N\n\nthe fixed table\n")
    assert text.count("## Adaptive search and calibrated confidence") == 1
    assert "| adaptive ≤64 |" in text and "| nested |" in text
    write_pareto_plot(report, tmp_path / "pareto.png")
    write_calibration_plot(report, tmp_path / "calibration.png")
    assert (tmp_path / "pareto.png").stat().st_size > 10_000 and (tmp_path / "calibration.png").stat().st_size > 10_000


def test_a_section_in_the_middle_is_replaced_up_to_the_next_one(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_text("# T\n\n## A\nold\n\n## B\nkept\n")
    replace_section(path, "## A", "## A\nnew\n")
    assert path.read_text() == "# T\n\n## A\nnew\n\n## B\nkept\n"


def test_calibration_metrics_on_known_cases() -> None:
    confidence = [0.1, 0.1, 0.9, 0.9]
    assert expected_calibration_error(confidence, [False, False, True, True]) == pytest.approx(0.1)
    assert expected_calibration_error([1.0, 0.0], [True, False]) == 0.0
    assert auc(confidence, [False, False, True, True]) == 1.0 and auc(confidence, [True] * 4) is None
    bins = reliability(confidence, [False, True, True, True])
    assert [(b.count, b.accuracy) for b in bins] == [(2, 0.5), (2, 1.0)]
    high = selective(confidence, [False, False, True, True], [0.5])[0]
    assert (high.answered, high.accuracy) == (0.5, 1.0)
