"""The service's import boundaries: the contracts in pyproject's [tool.importlinter] (which
`make lint` checks with `lint-imports`) hold for the tree, and each one fails on a planted import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# The contracts' ids in pyproject.toml.
SERVICE_WITHOUT_LAB, PURE_CORE, LAYERS, NO_CYCLES = "service-without-lab", "pure-core", "layers", "no-cycles"
TOOLS = "tools-below-engines"


def copy_of_the_tree(to: Path) -> Path:
    for package in ("app", "lab"):
        shutil.copytree(ROOT / package, to / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", to)
    return to


def lint_imports(tree: Path, contract: str | None = None) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on a tree (one contract, or all), reading its packages from there."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    only = ["--contract", contract] if contract else []
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *only, "pyproject.toml"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_every_contract(tmp_path: Path) -> None:
    done = lint_imports(copy_of_the_tree(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        ("app/api/routes/solve.py", "from lab.task import arith", SERVICE_WITHOUT_LAB),
        ("app/service/solve.py", "import lab.evaluation.metrics", SERVICE_WITHOUT_LAB),
        ("app/main.py", "import matplotlib.pyplot", SERVICE_WITHOUT_LAB),
        ("app/engines/vllm_scorer.py", "import sklearn.metrics", SERVICE_WITHOUT_LAB),
        ("app/core/select.py", "import httpx", PURE_CORE),
        ("app/core/steps.py", "from app.engines import protocols", PURE_CORE),
        ("app/worker/app.py", "from app.api import deps", LAYERS),
        ("app/web/errors.py", "from app.api import openai_errors", LAYERS),
        ("app/api/deps.py", "from app.worker import batcher", LAYERS),
        ("app/service/solve.py", "from app.api import deps", LAYERS),
        ("app/engines/protocols.py", "from app.service import solve", NO_CYCLES),
        ("app/tools/sandbox.py", "from app.engines import protocols", TOOLS),
        ("app/tools/belt.py", "import httpx", TOOLS),
    ],
)
def test_a_planted_import_breaks_its_contract(tmp_path: Path, module: str, planted: str, broken: str) -> None:
    tree = copy_of_the_tree(tmp_path)
    path = tree / module
    path.write_text(path.read_text() + f"\n{planted}  # planted by the test\n")
    done = lint_imports(tree, contract=broken)
    assert done.returncode == 1 and "1 broken" in done.stdout, done.stdout + done.stderr


def test_nothing_in_the_repository_points_outside_it() -> None:
    """Design notes live in docs/; a reference to a folder beside the checkout breaks in a clone."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    texts = {".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".txt", ""}
    paths = [ROOT / name for name in tracked.splitlines()]
    offenders = [
        p for p in paths if p.suffix in texts and p.is_file() and "../" + "shared" in p.read_text(errors="ignore")
    ]
    assert offenders == []
