"""`bon`: the service's commands always, the lab's (train, eval) through entry points when the
`[lab]` extra is installed, and a plugin that cannot load is left out instead of breaking `bon`."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
import typer
from typer.testing import CliRunner

import app.cli as bon


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    fresh = typer.Typer(no_args_is_help=True, add_completion=False)
    for command in bon.cli.registered_commands:
        fresh.registered_commands.append(command)
    monkeypatch.setattr(bon, "cli", fresh)
    return fresh


def command_names(cli: typer.Typer) -> set[str]:
    return {c.name or (c.callback.__name__ if c.callback else "") for c in cli.registered_commands}


def test_the_lab_adds_train_and_eval(cli: typer.Typer) -> None:
    bon.add_plugin_commands()
    assert command_names(cli) >= {"serve", "worker", "solve", "openapi", "train", "eval"}
    out = CliRunner().invoke(cli, ["eval", "--help"])
    assert out.exit_code == 0 and "--max-n" in out.output


def test_a_plugin_that_cannot_load_says_why_and_bon_still_serves(
    cli: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = EntryPoint("train", "lab_not_installed.cli:train", bon.PLUGIN_GROUP)
    broken = EntryPoint("eval", "app.cli:no_such_command", bon.PLUGIN_GROUP)
    monkeypatch.setattr(bon, "entry_points", lambda group: [missing, broken])
    bon.add_plugin_commands()
    runner = CliRunner()
    assert "train" not in runner.invoke(cli, ["--help"]).output
    out = runner.invoke(cli, ["train", "--models-dir", "models"])
    assert out.exit_code == 2 and "lab_not_installed" in out.output and "[lab]" in out.output
    assert runner.invoke(cli, ["eval"]).exit_code == 2
    assert runner.invoke(cli, ["serve", "--help"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "env", "orm"),
    [
        (["--outcome-model", "none"], {}, None),
        (["--no-outcome-model"], {"BON_WORKER_OUTCOME_MODEL": "/elsewhere/orm"}, None),
        (["--outcome-model", "org/orm"], {"BON_WORKER_OUTCOME_MODEL": "none"}, "org/orm"),
        (["--model", "org/prm"], {}, None),  # `auto`: no arithmetic ORM beside another PRM
        ([], {}, "arith-orm"),
    ],
)
def test_worker_options_are_read_as_the_environment_is(
    cli: typer.Typer, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], orm: str | None
) -> None:
    import uvicorn

    import app.worker.app as worker_app
    from app.worker.config import WorkerSettings

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    built: list[WorkerSettings] = []
    monkeypatch.setattr(worker_app, "create_worker_app", lambda settings: built.append(settings))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    out = CliRunner().invoke(cli, ["worker", *args, "--port", "8111"])
    assert out.exit_code == 0, out.output
    settings = built[0]
    assert settings.port == 8111
    got = settings.orm
    assert (got is None) if orm is None else (got is not None and got.name.endswith(orm))


def test_serve_options_are_validated_like_the_environment(cli: typer.Typer, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    import app.main as main
    from app.config import Settings

    built: list[Settings] = []
    monkeypatch.setenv("BON_ORM_MODEL", "none")
    monkeypatch.setattr(main, "create_app", lambda settings: built.append(settings))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    out = CliRunner().invoke(cli, ["serve", "--port", "8112"])
    assert out.exit_code == 0, out.output
    assert built[0].port == 8112 and built[0].orm is None
    bad = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert bad.exit_code == 2 and "port" in bad.output and "Traceback" not in bad.output
