"""The `bon` command line: serve, worker, solve, train, eval."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

cli = typer.Typer(help="Best-of-N verification service.", no_args_is_help=True, add_completion=False)

STAGES = ("generator", "samples", "prm", "orm")


def _cycles(text: str, option: str) -> tuple[tuple[int, float], ...]:
    try:
        cycles = tuple((int(steps), float(lr)) for steps, lr in (part.split("@") for part in text.split(",")))
    except ValueError:
        raise typer.BadParameter(f"expected STEPS@PEAK_LR,..., got {text!r}", param_hint=option) from None
    if not cycles or any(steps < 1 or lr <= 0 for steps, lr in cycles):
        raise typer.BadParameter("each cycle needs at least one step and a positive rate", param_hint=option)
    return cycles


@cli.command()
def train(
    models_dir: Annotated[Path, typer.Option(help="Where the three model directories go.")] = Path("models"),
    work_dir: Annotated[Path, typer.Option(help="Scratch space for sampled training chains.")] = Path("runs"),
    stages: Annotated[str, typer.Option(help="Comma-separated subset of: " + ",".join(STAGES))] = ",".join(STAGES),
    generator_steps: Annotated[int, typer.Option(min=1, help="Length of the generator's LR schedule.")] = 1000,
    generator_stop_at: Annotated[int, typer.Option(min=1, help="Step where the generator stops.")] = 890,
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
    from app.training.recipe import Recipe, run_recipe

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


@cli.command("eval")
def evaluate(
    models_dir: Annotated[Path, typer.Option(help="Holds <name>-generator, -prm and -orm.")] = Path("models"),
    name: str = "arith",
    out_dir: Annotated[Path | None, typer.Option(help="Defaults to the models directory.")] = None,
    problems: Annotated[int, typer.Option(min=1, help="Held-out test problems.")] = 500,
    max_n: Annotated[int, typer.Option(min=1, max=256, help="Largest N (a power of two).")] = 64,
    temperature: Annotated[float, typer.Option(min=0.0)] = 1.0,
    seed: int = 0,
) -> None:
    """Best-of-N accuracy against N, and step-level PRM quality, on vLLM engines."""
    from app.evaluation.run import EvalConfig, run_eval

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


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides BON_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides BON_PORT.")] = None,
) -> None:
    """Start the API service (what `make run` starts)."""
    import uvicorn

    from app.config import Settings
    from app.main import create_app

    settings = Settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings.model_copy(update=overrides)
    typer.echo(
        f"loading engines; the service answers on http://{settings.host}:{settings.port} "
        "(GET /ready says when /solve can answer)"
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


@cli.command()
def worker(
    model: Annotated[Path | None, typer.Option(help="PRM directory; overrides BON_WORKER_MODEL.")] = None,
    outcome_model: Annotated[
        Path | None, typer.Option(help="ORM directory served beside it; overrides BON_WORKER_OUTCOME_MODEL.")
    ] = None,
    no_outcome_model: Annotated[bool, typer.Option(help="Serve the PRM only.")] = False,
    host: Annotated[str | None, typer.Option(help="Overrides BON_WORKER_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides BON_WORKER_PORT.")] = None,
) -> None:
    """Start the reward-model worker (POST /score) for a split deployment."""
    import uvicorn

    from app.worker.app import create_worker_app
    from app.worker.config import WorkerSettings

    settings = WorkerSettings()
    overrides: dict[str, object] = {
        k: v for k, v in {"model": model, "outcome_model": outcome_model, "host": host, "port": port}.items() if v
    }
    if no_outcome_model:
        overrides["outcome_model"] = None
    settings = settings.model_copy(update=overrides)
    typer.echo(f"loading {settings.model.name}; the worker answers on http://{settings.host}:{settings.port}")
    uvicorn.run(create_worker_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


@cli.command()
def openapi(
    out: Annotated[Path | None, typer.Option(help="Defaults to openapi.json at the repository root.")] = None,
) -> None:
    """Write the API's OpenAPI spec (the contract the generated clients are made from)."""
    from app.api.openapi import SPEC_PATH, render, spec_of
    from app.config import Settings
    from app.main import create_app

    path = out or SPEC_PATH
    path.write_text(render(spec_of(create_app(Settings()))))
    typer.echo(f"wrote {path}")


@cli.command()
def solve(
    problem: Annotated[str, typer.Argument(help="The problem, e.g. '((37+48)*3)-12'.")],
    url: Annotated[str, typer.Option(envvar="BON_URL", help="Where the service runs.")] = "http://127.0.0.1:8000",
    n: Annotated[int | None, typer.Option(min=1, help="Chains to sample.")] = None,
    seed: Annotated[int | None, typer.Option(min=0)] = None,
    selection: Annotated[str | None, typer.Option(help="prm_max, prm_weighted_vote, majority_vote, orm_max")] = None,
    timeout: Annotated[float, typer.Option(min=1)] = 300.0,
) -> None:
    """Ask a running service to solve a problem and print the answer, summary and votes."""
    import httpx
    from rich.console import Console
    from rich.table import Table

    console = Console()
    body = {
        k: v for k, v in {"problem": problem, "n": n, "seed": seed, "selection": selection}.items() if v is not None
    }
    try:
        r = httpx.post(f"{url.rstrip('/')}/solve", json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        console.print(f"[red]cannot reach {url}: {exc}[/red]")
        raise typer.Exit(2) from exc
    data = r.json()
    if r.status_code != 200:
        err = data.get("error", {})
        console.print(f"[red]{r.status_code} {err.get('code')}: {err.get('message')}[/red]")
        raise typer.Exit(1)
    console.print(
        f"[bold]Answer:[/bold] {data['answer']}   (confidence {data['confidence']:.2f}, "
        f"{data['selection']}, N={data['n']})"
    )
    console.print(f"[bold]Summary:[/bold] {data['summary']}")
    table = Table("answer", "chains", "weight", title="Votes")
    for c in data["clusters"]:
        table.add_row(c["answer"], str(c["count"]), f"{c['weight']:.3f}")
    console.print(table)
    steps = ", ".join(f"{s:.2f}" for s in data["step_scores"])
    u, t = data["usage"], data["timings"]
    console.print(f"step scores: [{steps}]   reasoning tokens: {u['reasoning_tokens']}   total {t['total_ms']:.0f} ms")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
