"""The `bon` command line: serve, worker, solve, openapi; and the lab's commands (train, eval)
when the `[lab]` extra is installed."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, TypeVar

import typer

cli = typer.Typer(help="Best-of-N verification service.", no_args_is_help=True, add_completion=False)

# Other packages add commands through this entry-point group (the lab adds `train` and `eval`);
# the service itself never imports them.
PLUGIN_GROUP = "bon.commands"
S = TypeVar("S")


def settings_from(kind: Callable[..., S], overrides: Mapping[str, object]) -> S:
    """Settings from the environment and the command's options, validated alike; a bad value
    stops the command with pydantic's message (which names the setting), not a traceback."""
    from pydantic import ValidationError

    try:
        return kind(**overrides)
    except ValidationError as exc:
        typer.echo(f"bad settings: {exc}", err=True)
        raise typer.Exit(2) from None


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides BON_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides BON_PORT.")] = None,
) -> None:
    """Start the API service (what `make run` starts)."""
    import uvicorn

    from app.config import Settings
    from app.main import create_app

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings_from(Settings, overrides)
    typer.echo(
        f"loading engines; the service answers on http://{settings.host}:{settings.port} "
        "(GET /ready says when /solve can answer)"
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s),  # SIGTERM drains what is in flight
    )


@cli.command()
def worker(
    model: Annotated[
        str | None, typer.Option(help="The PRM (a directory or a hub id); overrides BON_WORKER_MODEL.")
    ] = None,
    outcome_model: Annotated[
        str | None, typer.Option(help="An ORM served beside it; overrides BON_WORKER_OUTCOME_MODEL.")
    ] = None,
    no_outcome_model: Annotated[bool, typer.Option(help="Serve the PRM only.")] = False,
    host: Annotated[str | None, typer.Option(help="Overrides BON_WORKER_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides BON_WORKER_PORT.")] = None,
) -> None:
    """Start the reward-model worker (POST /score) for a split deployment."""
    import uvicorn

    from app.worker.app import create_worker_app
    from app.worker.config import WorkerSettings

    overrides: dict[str, object] = {
        k: v for k, v in {"model": model, "outcome_model": outcome_model, "host": host, "port": port}.items() if v
    }
    if no_outcome_model:
        overrides["outcome_model"] = None
    # Built (not copied) with the options, so they are validated as the environment is: `none` is none.
    settings = settings_from(WorkerSettings, overrides)
    typer.echo(f"loading {settings.prm.short_name}; the worker answers on http://{settings.host}:{settings.port}")
    uvicorn.run(create_worker_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


@cli.command()
def openapi(
    out: Annotated[Path | None, typer.Option(help="Defaults to openapi.json at the repository root.")] = None,
) -> None:
    """Write the API's OpenAPI spec (the contract the generated clients are made from)."""
    from app.api.openapi import SPEC_PATH, render
    from app.config import Settings
    from app.main import create_app

    path = out or SPEC_PATH
    path.write_text(render(create_app(Settings()).openapi()))
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


def add_plugin_commands() -> None:
    """Register the commands other installed packages provide. One that cannot load (its package
    or extra is not installed, as in the service's images) answers with the reason instead, and
    never stops `bon serve` from starting."""
    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            command = entry.load()
        except Exception as exc:
            cli.command(entry.name, hidden=True, context_settings=_ANY_ARGS)(_unavailable(entry.name, exc))
            continue
        cli.command(entry.name)(command)


_ANY_ARGS = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def _unavailable(name: str, reason: Exception) -> Callable[[], None]:
    def command() -> None:
        typer.echo(f"`bon {name}` is not available here: {reason}. It comes with the lab: pip install -e '.[lab]'")
        raise typer.Exit(2)

    return command


def main() -> None:
    add_plugin_commands()
    cli()


if __name__ == "__main__":
    main()
