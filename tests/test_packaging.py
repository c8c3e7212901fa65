"""The wheel the Docker images install (`pip install .` over `COPY pyproject.toml README.md app`)
holds every file the service reads beside its code: the format presets, the migrations' template,
the trace viewer's page."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_every_data_file_of_the_service(tmp_path: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "app"], cwd=ROOT, check=True, capture_output=True, text=True)
    data = {f for f in tracked.stdout.split() if not f.endswith(".py")}
    assert any(f.startswith("app/formats/presets/") for f in data)
    context = tmp_path / "context"  # what the images' build copies
    shutil.copytree(ROOT / "app", context / "app", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, context / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(context),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert data <= set(zipfile.ZipFile(wheel).namelist())
