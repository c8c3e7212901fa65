"""SIGTERM (what `docker stop` and systemd send) ends `make run-split` and every process it started:
the API, the generator server, the reward worker and vLLM's engine cores under them; the answers'
audit records, real chains and scores, are in the store when it has ended."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.e2e


def three_free_ports() -> int:
    """A port whose next two are free too (the API's, the generator's and the worker's)."""
    for _ in range(20):
        port = free_port()
        if port < 65000 and all(_free(port + k) for k in (1, 2)):
            return port
    raise RuntimeError("no three consecutive free ports")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_sigterm_ends_run_split_and_everything_it_started(tmp_path: Path) -> None:
    port = three_free_ports()
    data = tmp_path / "data"
    env = {
        **os.environ,
        "BON_PORT": str(port),
        "BON_ORM_MODEL": "none",
        "BON_SHUTDOWN_GRACE_S": "5",
        "BON_DATA_DIR": str(data),
    }
    log = (tmp_path / "run-split.log").open("wb")
    started: list[psutil.Process] = []
    main = subprocess.Popen([sys.executable, "-m", "lab.local_services"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            while True:
                assert main.poll() is None, (tmp_path / "run-split.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "the split deployment did not become ready"
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(1)
            answer = client.post("/solve", json={"problem": "((37+48)*3)-12", "n": 4, "seed": 1}, timeout=60)
            assert answer.json()["answer"] == "243"
        started = psutil.Process(main.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in started)
        assert "app.cli serve" in names and "vllm" in names and "app.cli worker" in names
        main.send_signal(signal.SIGTERM)
        main.wait(90)
        _, alive = psutil.wait_procs(started, timeout=30)
        assert not alive, [" ".join(p.cmdline()) for p in alive]
        with contextlib.closing(sqlite3.connect(data / "audit.db")) as db:
            (body,) = db.execute(
                "SELECT body FROM audit_records WHERE request_id = ?", (answer.json()["request_id"],)
            ).fetchone()
        content = json.loads(body)["content"]
        assert len(content["chains"]) == 4 and content["answer"] == "243"
        winner = content["chains"][content["selected_chain"]]
        assert winner["answer"] == "243" and len(winner["step_scores"]) == len(winner["steps"]) > 0
        verify = subprocess.run(
            [sys.executable, "-m", "app.cli", "audit", "verify", "--db", f"sqlite:///{data / 'audit.db'}"],
            capture_output=True,
            text=True,
        )
        assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout + verify.stderr
    finally:  # a failed test leaves nothing running either
        for p in [*started, psutil.Process(main.pid)] if main.poll() is None else started:
            with contextlib.suppress(psutil.Error):
                p.kill()
        log.close()
