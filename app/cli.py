"""The `bon` command line: serve, worker, solve, openapi; and the lab's commands (train, eval)
when the `[lab]` extra is installed."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from app.audit.store import AuditStore

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


audit = typer.Typer(help="The audit store: check its hash chain, migrate its schema.", no_args_is_help=True)
cli.add_typer(audit, name="audit")
DbOption = Annotated[
    str | None, typer.Option("--db", help="A database URL (postgresql://… or sqlite:///…); default: BON_TRACE_DB.")
]


def _store_of(db: str | None) -> AuditStore:
    from app.audit.store import AuditStore, database_url
    from app.config import Settings

    settings = settings_from(Settings, {})
    url = database_url(db if db is not None else settings.trace_db, settings.data_dir)
    if url is None:
        typer.echo("no audit store is configured (BON_TRACE_DB=none)", err=True)
        raise typer.Exit(2)
    return AuditStore(url, settings.trace_timeout_s)


@audit.command("verify")
def audit_verify(db: DbOption = None) -> None:
    """Check every record's hash against its content and the record before it: an altered, removed
    or inserted record is reported by its seq (exit status 1)."""
    import asyncio

    from rich.progress import Progress

    from app.audit.store import redacted, verify

    store = _store_of(db)

    async def run() -> int:
        try:
            total = await store.count()
            with Progress(transient=True) as progress:
                task = progress.add_task("verifying", total=total)
                check = await verify(store, lambda _row: progress.advance(task))
        finally:
            await store.close()
        start = f"from the sweep's anchor at record {check.anchor.seq}" if check.anchor else "from the first record"
        typer.echo(f"{redacted(store.url)}: {check.checked} records checked {start}; head {check.head}")
        for problem in check.problems[:50]:
            typer.echo(f"  TAMPERED {problem}", err=True)
        if len(check.problems) > 50:
            typer.echo(f"  … and {len(check.problems) - 50} more", err=True)
        typer.echo("the chain is intact" if check.ok else f"{len(check.problems)} problems found")
        return 0 if check.ok else 1

    raise typer.Exit(asyncio.run(run()))


@audit.command("migrate")
def audit_migrate(db: DbOption = None) -> None:
    """Create or upgrade the audit store's schema (the service also does it at start-up)."""
    import asyncio

    from app.audit.store import redacted

    store = _store_of(db)

    async def run() -> None:
        try:
            await store.migrate()
        finally:
            await store.close()

    asyncio.run(run())
    typer.echo(f"{redacted(store.url)}: the audit schema is up to date")


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
