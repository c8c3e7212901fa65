"""Turn an evaluation report into a Markdown table and a plot of accuracy against N."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: no display on servers or CI
import matplotlib.pyplot as plt

ADAPTIVE_SECTION = "## Adaptive search and calibrated confidence"

LABELS = {
    "oracle": "oracle pass@N",
    "majority_vote": "majority vote",
    "orm_max": "ORM max",
    "prm_max_min": "PRM max (min)",
    "prm_max_prod": "PRM max (prod)",
    "prm_max_last": "PRM max (last)",
    "prm_weighted_vote_min": "PRM-weighted vote (min)",
    "prm_weighted_vote_prod": "PRM-weighted vote (prod)",
    "prm_weighted_vote_last": "PRM-weighted vote (last)",
}


def write_markdown(report: dict[str, Any], path: Path) -> None:
    methods: list[str] = report["methods"]
    lines = [
        "# Best-of-N evaluation on held-out problems",
        "",
        f"Made by `{report['command']}` on {report['machine']} in {report['seconds']:.0f} s.",
        f"{report['n_problems']} test problems; greedy pass@1 = {report['pass_at_1_greedy']:.1f}%; "
        f"accuracy of a single sample = {report['sample_accuracy']:.1f}%.",
        "Each cell averages the disjoint groups of N among the 64 samples per problem (accuracy, %).",
        "",
        "| N | " + " | ".join(LABELS.get(m, m) for m in methods) + " |",
        "|---:|" + "---:|" * len(methods),
    ]
    for n, row in report["best_of_n"].items():
        lines.append(f"| {n} | " + " | ".join(f"{row[m]:.1f}" for m in methods) + " |")
    step = report["step_level"]
    fe = step["first_error"]
    lines += [
        "",
        "## Step-level PRM quality",
        "",
        f"- ROC AUC over all sampled steps (checker labels): **{step['prm_roc_auc']:.2f}**",
        f"- First-error F1 (ProcessBench; threshold 0.5): **{fe['f1']:.1f}** "
        f"(erroneous chains {fe['error_accuracy']:.1f}% of {fe['erroneous_chains']}, "
        f"correct chains {fe['correct_accuracy']:.1f}% of {fe['correct_chains']})",
    ]
    # The adaptive evaluation's section (`bon eval --strategy adaptive`) stays as it was.
    old = path.read_text() if path.is_file() else ""
    kept = old[old.find(ADAPTIVE_SECTION) :] if ADAPTIVE_SECTION in old else ""
    path.write_text("\n".join(lines) + "\n" + ("\n" + kept if kept else ""))


def write_plot(report: dict[str, Any], path: Path) -> None:
    ns = [int(n) for n in report["best_of_n"]]
    fig, ax = plt.subplots(figsize=(7.5, 5))
    styles = {"oracle": ":", "majority_vote": "--", "orm_max": "-."}
    for m in ["oracle", "majority_vote", "orm_max", "prm_max_min", "prm_weighted_vote_min"]:
        ys = [report["best_of_n"][str(n)][m] for n in ns]
        ax.plot(ns, ys, styles.get(m, "-"), marker="o", label=LABELS[m])
    ax.axhline(report["pass_at_1_greedy"], color="grey", lw=1, ls="--", label="greedy pass@1")
    ax.set_xscale("log", base=2)
    ax.set_xticks(ns, [str(n) for n in ns])
    ax.set_xlabel("N = number of solutions per problem")
    ax.set_ylabel("% problems solved (best-of-N)")
    ax.set_title(f"Best-of-N on {report['n_problems']} held-out arithmetic problems")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
