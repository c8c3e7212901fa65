"""Clients generated from the committed openapi.json work against a live server: the Python one
(openapi-python-client, generated here and installed) and the TypeScript one (openapi-typescript
types with openapi-fetch, compiled with tsc and run with node)."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.json"
BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "node_modules" / ".bin"


def run(*command: str | Path, cwd: Path = ROOT) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def generate_python_client(out: Path) -> None:
    """As `make clients` does, from the committed spec."""
    run(
        BIN / "openapi-python-client",
        "generate",
        "--path",
        SPEC,
        "--output-path",
        out,
        "--config",
        ROOT / "clients" / "openapi-python-client.yaml",
        "--meta",
        "setup",
    )


def test_the_python_client_generated_from_the_spec_solves_a_problem(live_server: LiveServer, tmp_path: Path) -> None:
    out = tmp_path / "client"
    generate_python_client(out)
    site = tmp_path / "site"
    run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, out)
    sys.path.insert(0, str(site))
    try:
        client_mod = importlib.import_module("bon_client")
        solve_api = importlib.import_module("bon_client.api.solve.solve")
        models = importlib.import_module("bon_client.models")
        client = client_mod.Client(base_url=live_server.url, raise_on_unexpected_status=True, timeout=300)
        result = solve_api.sync(client=client, body=models.SolveRequest(problem="((37+48)*3)-12", n=8, seed=1))
    finally:
        sys.path.remove(str(site))
    assert isinstance(result, models.SolveResponse), result
    assert result.answer == "243" and "243" in result.summary and result.n == 8


def test_the_committed_clients_are_generated_from_the_committed_spec(tmp_path: Path) -> None:
    fresh = tmp_path / "schema.d.ts"
    run(NODE_BIN / "openapi-typescript", SPEC, "-o", fresh)
    assert fresh.read_text() == (ROOT / "clients" / "typescript" / "schema.d.ts").read_text(), "run `make clients`"
    committed = ROOT / "clients" / "python"
    regenerated = tmp_path / "python"
    generate_python_client(regenerated)
    for path in regenerated.rglob("*.py"):
        assert path.read_text() == (committed / path.relative_to(regenerated)).read_text(), f"{path.name} is stale"


def test_the_typescript_client_compiles_and_solves_through_node(live_server: LiveServer) -> None:
    assert shutil.which("node"), "node is missing"
    run(NODE_BIN / "tsc", "-p", ROOT / "tests" / "ts" / "tsconfig.json")
    compiled = ROOT / "build" / "ts" / "tests" / "ts" / "solve.mjs"
    out = run("node", compiled, live_server.url, "((37+48)*3)-12").splitlines()
    answer, ready = json.loads(out[0]), json.loads(out[1])
    assert answer["answer"] == "243" and answer["n"] == 8 and "243" in answer["summary"]
    assert ready == {"ready": "ready"}
