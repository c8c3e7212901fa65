"""The step checkers' evaluation as a section of EVAL.md and a plot of wrong-but-verified answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: no display on servers or CI
import matplotlib.pyplot as plt

from lab.evaluation.adaptive_report import replace_section

SECTION = "## Checked steps: a calculator beside the PRM"


def _num(x: float | None, digits: int = 1, suffix: str = "") -> str:
    return "–" if x is None else f"{x:.{digits}f}{suffix}"


def checks_markdown(report: dict[str, Any]) -> str:
    arms, n = report["arms"], report["n"]
    kinds = list(next(iter(arms.values()))["by_kind"])
    lines = [
        SECTION,
        "",
        f"Made by `{report['command']}` on {report['machine']} in {report['seconds']:.0f} s.",
        "",
        f"Fixed N={n} through `POST /solve`, one request at a time, the same seed per problem under every arm; "
        f"{report['test_problems']} held-out problems of the task and the test half of the out-of-range set "
        f"({report['out_of_range_problems']} problems). Each arm is the request's `checks`: none; `numeric` (the "
        "calculator: what transfers to any model); `numeric` and `arith` (the task's own grammar, whether a step "
        "goes on from the result before it: an upper bound for this task). A step found false has its score held "
        "at 0, and its chain cannot make the answer verified. Each arm is calibrated by its own fit on the "
        "validation split (`bon_calibration.json` holds all three).",
        "",
        "The p50 is each arm's, but the arms of a problem run one after the other and the first pays for the "
        "prompt's prefill: what the checks cost is measured apart (`bench/checks_overhead.py`).",
        "",
        "| arm | in-range accuracy | ECE (in range) | ROC AUC (all) | verified | verified precision "
        "| wrong but verified (all) | p50 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, arm in arms.items():
        wrong = sum(k["wrong_but_verified"] for k in arm["by_kind"].values())
        lines.append(
            f"| {name} | {arm['in_range_accuracy']:.1f}% | {arm['ece_in_range']:.3f} | "
            f"{arm['auc_in_and_out_of_range']:.3f} | {arm['verified']} | {_num(arm['verified_precision'], 1, '%')} | "
            f"{wrong} | {arm['wall_ms_p50']:.0f} |"
        )
    lines += [
        "",
        "Wrong but verified, by kind of problem (answers of that kind that were verified and wrong, %; accuracy "
        "in brackets):",
        "",
        "| kind | " + " | ".join(arms) + " |",
        "|---|" + "---:|" * len(arms),
    ]
    for kind in kinds:
        cells = [
            f"{arm['by_kind'][kind]['wrong_but_verified_share']:.1f}% ({arm['by_kind'][kind]['accuracy']:.0f}%)"
            for arm in arms.values()
        ]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "The adaptive search (≤64 chains, in-range problems): a vetoed chain is cut at the step found false, and "
        "no longer votes, so the vote is decided later: tokens per answer against accuracy.",
        "",
    ]
    lines += [
        "| run | accuracy | tokens / problem | chains started | cut | p50 (ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in report["adaptive"].items():
        lines.append(
            f"| {name} | {row['accuracy']:.1f}% | {row['reasoning_tokens']:.0f} | {row['chains_started']:.1f} | "
            f"{row['chains_pruned']:.1f} | {row['wall_ms_p50']:.0f} |"
        )
    timing = report["check_ms_per_request"]
    fixed_p50 = next(iter(arms.values()))["wall_ms_p50"]
    lines += [
        "",
        f"The checks' own time per request ({n} recorded chains, every step, in this process): "
        + "; ".join(
            f"{name} {ms:.2f} ms ({100 * ms / fixed_p50:.2f}% of the unchecked p50)" for name, ms in timing.items()
        )
        + ".",
        "",
        "![wrong but verified by kind](eval_checks.png)",
        "",
    ]
    return "\n".join(lines)


def write_checks_markdown(report: dict[str, Any], path: Path) -> None:
    replace_section(path, SECTION, checks_markdown(report))


def write_checks_plot(report: dict[str, Any], path: Path) -> None:
    arms = report["arms"]
    kinds = list(next(iter(arms.values()))["by_kind"])
    fig, ax = plt.subplots(figsize=(8, 4.2))
    width = 0.8 / len(arms)
    for k, (name, arm) in enumerate(arms.items()):
        xs = [i + (k - (len(arms) - 1) / 2) * width for i in range(len(kinds))]
        ax.bar(xs, [arm["by_kind"][kind]["wrong_but_verified_share"] for kind in kinds], width, label=name)
    ax.set_xticks(range(len(kinds)), [kind.replace("_", " ") for kind in kinds], rotation=20, ha="right")
    ax.set_ylabel("wrong but verified (% of answers)")
    ax.set_title(f"Answers verified yet wrong, by kind of problem (fixed N={report['n']})")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
