"""The lab's commands, added to `bon` through the `bon.commands` entry points: `bon train` and
`bon eval`. They need the `[lab]` extra (torch training, scikit-learn metrics, matplotlib plots)."""

from __future__ import annotations

import shlex
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from lab.evaluation.adaptive_run import AdaptiveEvalConfig

# Fail at registration, not half-way through a run: `bon` then lists these commands only where
# the extra is installed.
_missing = [name for name in ("torch", "sklearn", "matplotlib", "tqdm", "safetensors") if find_spec(name) is None]
if _missing:
    raise ImportError(f"the lab's commands need the [lab] extra; missing: {', '.join(_missing)}")

STAGES = ("generator", "samples", "prm", "orm")


def _cycles(text: str, option: str) -> tuple[tuple[int, float], ...]:
    try:
        cycles = tuple((int(steps), float(lr)) for steps, lr in (part.split("@") for part in text.split(",")))
    except ValueError:
        raise typer.BadParameter(f"expected STEPS@PEAK_LR,..., got {text!r}", param_hint=option) from None
    if not cycles or any(steps < 1 or lr <= 0 for steps, lr in cycles):
        raise typer.BadParameter("each cycle needs at least one step and a positive rate", param_hint=option)
    return cycles


def train(
    models_dir: Annotated[Path, typer.Option(help="Where the three model directories go.")] = Path("models"),
    work_dir: Annotated[Path, typer.Option(help="Scratch space for sampled training chains.")] = Path("runs"),
    stages: Annotated[str, typer.Option(help="Comma-separated subset of: " + ",".join(STAGES))] = ",".join(STAGES),
    generator_steps: Annotated[int, typer.Option(min=1, help="Length of the generator's LR schedule.")] = 1400,
    generator_stop_at: Annotated[int, typer.Option(min=1, help="Step where the generator stops.")] = 1250,
    prm_cycles: Annotated[
        str, typer.Option(help="The PRM's one-cycle schedules, back to back, as STEPS@PEAK_LR,...")
    ] = "10000@1e-3",
    orm_cycles: Annotated[str, typer.Option(help="The ORM's schedules, as for --prm-cycles.")] = "6000@1e-3",
    sample_problems: Annotated[int, typer.Option(min=1)] = 2000,
    samples_per_problem: Annotated[int, typer.Option(min=1)] = 16,
    seed: int = 0,
    device: Annotated[
        str, typer.Option(help='Where training steps run: "cpu", or "cuda" on a GPU (sampling always uses vLLM).')
    ] = "cpu",
) -> None:
    """Train the generator, sample and label its chains, then train the PRM and the ORM."""
    from lab.training.recipe import Recipe, run_recipe

    chosen = {s.strip() for s in stages.split(",") if s.strip()}
    unknown = chosen - set(STAGES)
    if unknown:
        raise typer.BadParameter(f"unknown stages: {', '.join(sorted(unknown))}", param_hint="--stages")
    recipe = Recipe(
        models_dir=models_dir,
        work_dir=work_dir,
        seed=seed,
        generator_steps=generator_steps,
        generator_stop_at=generator_stop_at,
        prm_cycles=_cycles(prm_cycles, "--prm-cycles"),
        orm_cycles=_cycles(orm_cycles, "--orm-cycles"),
        sample_problems=sample_problems,
        samples_per_problem=samples_per_problem,
        device=device,
    )
    run_recipe(recipe, chosen)


def _check(cfg: AdaptiveEvalConfig, names: list[str]) -> None:
    from lab.evaluation.reproduce import reproduce

    try:
        figures = reproduce(cfg, names)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--check") from None
    for f in figures:
        verdict = "same" if f.same else "DIFFERS"
        typer.echo(f"{f.run:14s} {f.name:16s} recorded {f.recorded!s:>24s}  now {f.now!s:>24s}  {verdict}")
    differing = sum(not f.same for f in figures)
    typer.echo(f"{len(figures) - differing} of {len(figures)} figures reproduced")
    if differing:
        raise typer.Exit(1)


def _step_eval(models_dir: Path, name: str, out_dir: Path | None, problems: int, report_only: bool) -> None:
    from lab.evaluation.step_run import StepEvalConfig, rewrite_report, run_step_eval

    cfg = StepEvalConfig(models_dir / f"{name}-generator", models_dir / f"{name}-prm", out_dir or models_dir, problems)
    result = rewrite_report(cfg) if report_only else run_step_eval(cfg, "bon " + shlex.join(sys.argv[1:]))
    for run, row in result["runs"].items():
        typer.echo(
            f"{run:24s} {row['accuracy']:5.1f}%  {row['reasoning_tokens']:6.0f} tokens  {row['wall_ms_p50']:5.0f} ms"
        )
    typer.echo(f"wrote {cfg.out_dir}/EVAL.md")


def _checks_eval(adaptive: AdaptiveEvalConfig) -> None:
    from lab.evaluation.checks_run import ChecksEvalConfig, run_checks_eval

    result = run_checks_eval(ChecksEvalConfig(adaptive), "bon " + shlex.join(sys.argv[1:]))
    for arm, row in result["arms"].items():
        wrong = sum(k["wrong_but_verified"] for k in row["by_kind"].values())
        typer.echo(
            f"{arm:28s} {row['in_range_accuracy']:5.1f}%  ECE {row['ece_in_range']:.3f}  wrong-but-verified {wrong}"
        )
    typer.echo(f"wrote {adaptive.out_dir}/EVAL.md")


def evaluate(
    models_dir: Annotated[Path, typer.Option(help="Holds <name>-generator, -prm and -orm.")] = Path("models"),
    name: str = "arith",
    out_dir: Annotated[Path | None, typer.Option(help="Defaults to the models directory.")] = None,
    problems: Annotated[int, typer.Option(min=1, help="Held-out test problems.")] = 500,
    max_n: Annotated[int, typer.Option(min=1, max=256, help="Largest N (a power of two).")] = 64,
    temperature: Annotated[float, typer.Option(min=0.0)] = 1.0,
    seed: int = 0,
    strategy: Annotated[
        str,
        typer.Option(
            help="fixed: best-of-N against N from 64 samples per problem. adaptive: fit the search rules and the "
            "confidence calibration on the validation split (written beside the PRM), then run fixed N=1..max-n "
            "and adaptive search through the service on held-out problems. steps: particle filtering and beam "
            "search against fixed N=4, 16, 64 through the service on held-out problems. checks: a calibration per "
            "set of step checkers (fitted on the validation split), then no checks, the calculator, and the "
            "calculator with the task's grammar through the service on held-out and out-of-range problems."
        ),
    ] = "fixed",
    validation_problems: Annotated[int, typer.Option(min=1, help="adaptive: validation problems to fit on.")] = 500,
    out_of_range: Annotated[int, typer.Option(min=7, help="adaptive: out-of-range problems in each half.")] = 210,
    verified_threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.9,
    report_only: Annotated[
        bool, typer.Option(help="adaptive: rewrite the report from the answers already recorded (no engine).")
    ] = False,
    check: Annotated[
        list[str] | None,
        typer.Option(
            help="adaptive: run only this recorded run (repeatable, e.g. 'fixed N=16') through the service as it "
            "is now, and compare every figure but the wall-clock with eval_adaptive.json (no fit, nothing written)."
        ),
    ] = None,
) -> None:
    """Best-of-N accuracy against N, and step-level PRM quality, on vLLM engines; or (--strategy
    adaptive) the adaptive search and the calibrated confidence, fitted and measured."""
    from lab.evaluation.run import EvalConfig, run_eval

    if strategy not in ("fixed", "adaptive", "steps", "checks"):
        raise typer.BadParameter("fixed, adaptive, steps or checks", param_hint="--strategy")
    if strategy == "steps":
        _step_eval(models_dir, name, out_dir, problems, report_only)
        return
    if strategy in ("adaptive", "checks"):
        from lab.evaluation.adaptive_run import AdaptiveEvalConfig, run_adaptive_eval

        adaptive = AdaptiveEvalConfig(
            generator_dir=models_dir / f"{name}-generator",
            prm_dir=models_dir / f"{name}-prm",
            out_dir=out_dir or models_dir,
            validation_problems=validation_problems,
            test_problems=problems,
            out_of_range_problems=out_of_range,
            seed=seed,
            verified_threshold=verified_threshold,
        )
        if check:
            _check(adaptive, check)
            return
        if strategy == "checks":
            _checks_eval(adaptive)
            return
        if report_only:
            from lab.evaluation.adaptive_run import rewrite_report

            result = rewrite_report(adaptive)
        else:
            result = run_adaptive_eval(adaptive, "bon " + shlex.join(sys.argv[1:]))
        for run, row in result["runs"].items():
            spent = f"{row['reasoning_tokens']:6.0f} tokens  {row['wall_ms_mean']:5.0f} ms"
            typer.echo(f"{run:14s} {row['accuracy']:5.1f}%  {spent}")
        cal = result["calibration"]["defaults"]
        quality = f"ECE {cal['ece']:.3f}  ROC AUC {cal['auc_in_and_out_of_range']:.3f}"
        typer.echo(f"{quality}; wrote {adaptive.out_dir}/EVAL.md")
        return

    cfg = EvalConfig(
        generator_dir=models_dir / f"{name}-generator",
        prm_dir=models_dir / f"{name}-prm",
        orm_dir=models_dir / f"{name}-orm",
        out_dir=out_dir or models_dir,
        n_problems=problems,
        max_n=max_n,
        temperature=temperature,
        seed=seed,
    )
    report = run_eval(cfg, "bon " + shlex.join(sys.argv[1:]))
    row = report["best_of_n"].get("16") or report["best_of_n"][str(max_n)]
    typer.echo(f"greedy pass@1 {report['pass_at_1_greedy']:.1f}%  " + "  ".join(f"{k} {v:.1f}" for k, v in row.items()))
    typer.echo(
        f"step ROC AUC {report['step_level']['prm_roc_auc']:.2f}; wrote {cfg.out_dir}/EVAL.md, eval.json, eval.png"
    )
