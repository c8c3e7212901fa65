"""`bon eval --strategy steps`: the step-level searches (particle filtering, beam search) against
fixed best-of-N, at the same N, on the same held-out problems and seeds, in one run through the
service (`POST /solve`, one request at a time); the adaptive search's recorded rows beside them.

Writes `eval_steps.json`, a section of EVAL.md and `eval_steps.png` beside the PRM's evaluation.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: no display on servers or CI
import matplotlib.pyplot as plt

from app.config import Settings
from lab.evaluation.adaptive_report import replace_section
from lab.evaluation.adaptive_run import load_answers, machine, save_answers, summarize_runs
from lab.evaluation.live import Answered, Run, solve_all
from lab.evaluation.samples import Case
from lab.task import arith

SECTION = "## Step-level search: particle filtering and beam search"
STRATEGIES = ("fixed", "particle_filtering", "beam")
NAMES = {"fixed": "fixed", "particle_filtering": "particle filtering", "beam": "beam"}


@dataclass(frozen=True, slots=True)
class StepEvalConfig:
    generator_dir: Path
    prm_dir: Path
    out_dir: Path
    test_problems: int = 500
    ns: tuple[int, ...] = (4, 16, 64)
    port: int = 8792
    answers_path: Path = Path("runs/eval_steps_answers.jsonl")


def runs(ns: Sequence[int]) -> list[Run]:
    return [Run(f"{NAMES[s]} N={n}", s, n) for n in ns for s in STRATEGIES]


def service_settings(cfg: StepEvalConfig) -> Settings:
    """The embedded default with the shipped models (and what was fitted beside the PRM)."""
    return Settings(generator_model=str(cfg.generator_dir), prm_model=str(cfg.prm_dir), request_timeout_s=600)


def summarize(answers: Sequence[Answered]) -> dict[str, Any]:
    table = summarize_runs(answers)
    for name, row in table.items():
        rows = [a for a in answers if a.run == name]
        row["steps"] = statistics.fmean(a.steps for a in rows)
        row["generator_requests"] = statistics.fmean(a.branches for a in rows)
    return table


def run_step_eval(cfg: StepEvalConfig, command: str) -> dict[str, Any]:
    start = time.perf_counter()
    work = [(Case.in_range(p), runs(cfg.ns)) for p in arith.problems("test", cfg.test_problems)]
    answers = solve_all(service_settings(cfg), work, cfg.port)
    save_answers(answers, cfg.answers_path)
    report = {
        "command": command,
        "machine": machine(),
        "seconds": round(time.perf_counter() - start, 1),
        "test_problems": cfg.test_problems,
        "runs": summarize(answers),
    }
    write(cfg, report)
    return report


def rewrite_report(cfg: StepEvalConfig) -> dict[str, Any]:
    """The report again from the recorded answers (no engine)."""
    previous = json.loads((cfg.out_dir / "eval_steps.json").read_text())
    report = previous | {"runs": summarize(load_answers(cfg.answers_path))}
    write(cfg, report)
    return report


def write(cfg: StepEvalConfig, report: dict[str, Any]) -> None:
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    (cfg.out_dir / "eval_steps.json").write_text(json.dumps(report, indent=2) + "\n")
    adaptive = _adaptive_rows(cfg.out_dir / "eval_adaptive.json")
    replace_section(cfg.out_dir / "EVAL.md", SECTION, markdown(report, adaptive))
    write_plot(report, adaptive, cfg.out_dir / "eval_steps.png")


def _adaptive_rows(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    recorded = json.loads(path.read_text())["runs"]
    return {name: row for name, row in recorded.items() if row["strategy"] == "adaptive"}


def markdown(report: dict[str, Any], adaptive: dict[str, Any]) -> str:
    table = report["runs"]
    lines = [
        SECTION,
        "",
        f"`{report['command']}` on {report['machine']}, {report['seconds'] / 60:.0f} min: "
        f"{report['test_problems']} held-out test problems through `POST /solve`, one at a time, every strategy "
        "with the same seed for a problem. Particle filtering draws its N partial chains again after every step in "
        "proportion to the PRM's odds (temperature 1); beam search keeps the best N/4 and extends each 4 ways. "
        "*Rounds*: steps taken; *requests*: generator requests (each extends one prefix, from the prefix cache, "
        "one or more ways). Tokens are decoded tokens: a prefix shared by several chains is counted once. "
        "The adaptive rows are another run's (`bon eval --strategy adaptive`): compare their tokens, not their "
        "wall-clock, which moves with the machine and the run.",
        "",
        "| N | strategy | accuracy | reasoning tokens | rounds | requests | p50 ms | p90 ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in table.values():
        rounds = f"{row['steps']:.1f}" if row["strategy"] != "fixed" else "–"
        asked = f"{row['generator_requests']:.1f}" if row["strategy"] != "fixed" else "–"
        lines.append(
            f"| {row['chains_allowed']} | {NAMES[row['strategy']]} | {row['accuracy']:.1f}% | "
            f"{row['reasoning_tokens']:.0f} | {rounds} | {asked} | "
            f"{row['wall_ms_p50']:.0f} | {row['wall_ms_p90']:.0f} |"
        )
    for row in adaptive.values():
        lines.append(
            f"| ≤{row['chains_allowed']} | adaptive (recorded by `bon eval --strategy adaptive`, another run) | "
            f"{row['accuracy']:.1f}% | {row['reasoning_tokens']:.0f} | – | – | "
            f"{row['wall_ms_p50']:.0f} | {row['wall_ms_p90']:.0f} |"
        )
    lines += ["", "![step-level search against fixed best-of-N](eval_steps.png)", ""]
    return "\n".join(lines)


def write_plot(report: dict[str, Any], adaptive: dict[str, Any], path: Path) -> None:
    table = report["runs"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {"fixed": ("o-", "tab:blue"), "particle_filtering": ("^-", "tab:green"), "beam": ("v-", "tab:purple")}
    for ax, key, label in (
        (axes[0], "reasoning_tokens", "reasoning tokens per problem (log scale)"),
        (axes[1], "wall_ms_p50", "p50 wall-clock per problem, ms (log scale)"),
    ):
        for strategy, (style, color) in styles.items():
            rows = [r for r in table.values() if r["strategy"] == strategy]
            ax.plot([r[key] for r in rows], [r["accuracy"] for r in rows], style, color=color, label=NAMES[strategy])
            for r in rows:
                ax.annotate(
                    f"N={r['chains_allowed']}",
                    (r[key], r["accuracy"]),
                    textcoords="offset points",
                    xytext=(4, -10),
                    fontsize=8,
                )
        if adaptive and key == "reasoning_tokens":  # its wall-clock is another run's: not comparable
            rows = list(adaptive.values())
            ax.plot(
                [r[key] for r in rows],
                [r["accuracy"] for r in rows],
                "s--",
                color="tab:red",
                label="adaptive (recorded)",
                alpha=0.6,
            )
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("% held-out problems solved")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(f"Step-level search against fixed best-of-N ({report['test_problems']} held-out problems)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
