"""The adaptive evaluation as a section of EVAL.md, a Pareto plot and a reliability diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: no display on servers or CI
import matplotlib.pyplot as plt

from lab.evaluation.report import ADAPTIVE_SECTION as SECTION


def replace_section(path: Path, heading: str, text: str) -> None:
    """Put `text` (starting with `heading`) in place of that section of the file, or at its end."""
    old = path.read_text() if path.is_file() else ""
    start = old.find(heading)
    if start < 0:
        path.write_text(old.rstrip("\n") + ("\n\n" if old else "") + text)
        return
    end = old.find("\n## ", start + len(heading))
    rest = old[end + 1 :] if end >= 0 else ""
    path.write_text(old[:start] + text + ("\n" + rest if rest else ""))


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def adaptive_markdown(report: dict[str, Any]) -> str:
    fit, runs, cal = report["fit"], report["runs"], report["calibration"]
    rules, val = fit["rules"], fit["validation"]
    n64 = runs["fixed N=64"]["reasoning_tokens"]
    lines = [
        SECTION,
        "",
        f"Made by `{report['command']}` on {report['machine']} in {report['seconds']:.0f} s.",
        "",
        "### The fit (validation split only)",
        "",
        f"Search rules: {fit['rules_tried']} rules on a grid replayed on "
        f"the validation problems' recorded chains (64 each); kept: the most accurate of those spending at most "
        f"{100 * fit['token_share_cap']:.0f}% of fixed N=64's tokens, then the quickest. Chosen: waves of "
        f"{rules['wave']}, a chain cut when a scored step falls below {rules['prune_floor']}, the vote decided "
        f"when the leader is {rules['stop_margin']} weighted votes ahead with {100 * rules['stop_share']:.0f}% of "
        f"the weight and {rules['stop_min_votes']} votes. On validation: {val['adaptive_accuracy']:.1f}% with "
        f"{val['adaptive_tokens']:.0f} tokens against fixed N=64's {val['fixed64_accuracy']:.1f}% with "
        f"{val['fixed64_tokens']:.0f} (the rules before the fit: {val['previous_defaults']['accuracy']:.1f}% "
        f"with {val['previous_defaults']['tokens']:.0f}). Both fits are in `models/arith-prm/bon_calibration.json`.",
        "",
        f"### Accuracy against spend ({report['test_problems']} held-out test problems, through `POST /solve`)",
        "",
        "One request at a time on the embedded default; the same seed per problem for every run. Tokens are "
        "reasoning tokens per problem (all chains, pruned ones included); wall-clock is the client's.",
        "",
        "| run | accuracy | tokens / problem | % of N=64's | chains started | pruned | wall mean (ms) "
        "| p50 | p90 | verified | stops |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in runs.items():
        stops = ", ".join(f"{k} {v}" for k, v in r["stops"].items()) or "–"
        lines.append(
            f"| {name} | {r['accuracy']:.1f}% | {r['reasoning_tokens']:.0f} | {100 * r['reasoning_tokens'] / n64:.1f}% "
            f"| {r['chains_started']:.1f} | {r['chains_pruned']:.1f} | {r['wall_ms_mean']:.0f} | "
            f"{r['wall_ms_p50']:.0f} | {r['wall_ms_p90']:.0f} | {r['verified_share']:.0f}% | {stops} |"
        )
    d = cal["defaults"]
    lines += [
        "",
        "![accuracy against tokens and wall-clock](eval_adaptive.png)",
        "",
        "### Calibrated confidence",
        "",
        f"`confidence` is P(answer right) from a logistic model of the selection's features, fitted on the "
        f"validation replays; `verified` is confidence ≥ {cal['verified_threshold']} (`BON_VERIFIED_THRESHOLD`).",
        "",
        f"- Expected calibration error (10 bins), held-out in-range problems, all runs pooled: "
        f"**{cal['ece_in_range_all_runs']:.3f}**; the two defaults ({', '.join(d['runs'])}) with the out-of-range "
        f"set: **{d['ece']:.3f}** ({d['answers']} answers, {d['out_of_range_answers']} out of range).",
        f"- ROC AUC of confidence for correctness, in-range and out-of-range together (the defaults): "
        f"**{d['auc_in_and_out_of_range']:.3f}**.",
        "",
        "| run | ECE (in range) | ROC AUC (in range) |",
        "|---|---:|---:|",
    ]
    for name, r in cal["per_run"].items():
        auc = "–" if r["auc"] is None else f"{r['auc']:.3f}"
        lines.append(f"| {name} | {r['ece']:.3f} | {auc} |")
    lines += [
        "",
        "Answering only at or above a confidence (the defaults, in and out of range):",
        "",
        "| threshold | answered | accuracy of those answered |",
        "|---:|---:|---:|",
    ]
    for s in d["selective"]:
        lines.append(f"| {s['threshold']} | {_pct(s['answered'])} | {_pct(s['accuracy'])} |")
    lines += [
        "",
        "By kind of problem (the defaults; `lab/task/out_of_range.py` makes the out-of-range set):",
        "",
        "| kind | answers | accuracy | mean confidence | verified | wrong but verified |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, k in cal["by_kind"].items():
        lines.append(
            f"| {kind} | {k['answers']} | {k['accuracy']:.1f}% | {k['mean_confidence']:.3f} | "
            f"{k['verified_share']:.0f}% | {k['wrong_but_verified']} |"
        )
    lines += ["", "![reliability diagram](calibration.png)", ""]
    return "\n".join(lines)


def write_adaptive_markdown(report: dict[str, Any], path: Path) -> None:
    replace_section(path, SECTION, adaptive_markdown(report))


def write_pareto_plot(report: dict[str, Any], path: Path) -> None:
    runs = report["runs"]
    fixed = [r for r in runs.values() if r["strategy"] == "fixed"]
    adaptive = [r for r in runs.values() if r["strategy"] == "adaptive"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    for ax, key, label in (
        (axes[0], "reasoning_tokens", "reasoning tokens per problem (log scale)"),
        (axes[1], "wall_ms_mean", "mean wall-clock per problem, ms (log scale)"),
    ):
        ax.plot([r[key] for r in fixed], [r["accuracy"] for r in fixed], "o-", color="tab:blue", label="fixed N")
        for r in fixed:
            where = (r[key], r["accuracy"])
            ax.annotate(f"N={r['chains_allowed']}", where, textcoords="offset points", xytext=(4, -10))
        ax.plot([r[key] for r in adaptive], [r["accuracy"] for r in adaptive], "s--", color="tab:red", label="adaptive")
        for r in adaptive:
            ax.annotate(f"≤{r['chains_allowed']}", (r[key], r["accuracy"]), textcoords="offset points", xytext=(4, 4))
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("% held-out problems solved")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(f"Adaptive search against fixed best-of-N ({report['test_problems']} held-out problems)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_calibration_plot(report: dict[str, Any], path: Path) -> None:
    cal = report["calibration"]
    d, in_range = cal["defaults"], cal["in_range_reliability"]
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(6.5, 7.5), height_ratios=[3, 1], sharex=True)
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfect calibration")
    ax.plot(
        [b["mean_confidence"] for b in in_range],
        [b["accuracy"] for b in in_range],
        "o-",
        label=f"held-out problems, every run (ECE {cal['ece_in_range_all_runs']:.3f})",
    )
    ax.plot(
        [b["mean_confidence"] for b in d["reliability"]],
        [b["accuracy"] for b in d["reliability"]],
        "s--",
        alpha=0.7,
        label=f"{' and '.join(d['runs'])}, with the out-of-range set (ECE {d['ece']:.3f})",
    )
    ax.set_ylabel("accuracy in bin")
    auc = d["auc_in_and_out_of_range"]
    ax.set_title(f"Reliability of the calibrated confidence\n(ROC AUC in and out of range together: {auc:.3f})")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    hist.bar(
        [(b["lower"] + b["upper"]) / 2 for b in in_range],
        [b["count"] for b in in_range],
        width=0.09,
        color="tab:blue",
        alpha=0.6,
    )
    hist.set_yscale("log")
    hist.set_xlabel("confidence")
    hist.set_ylabel("answers (held out)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
