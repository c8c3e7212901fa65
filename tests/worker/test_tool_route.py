"""`POST /tool`: the worker runs a chain's code in its sandbox where the operator allowed it, and
the API's `RemoteTool` reads what it answers (a failed call is an error output, never a 500)."""

from __future__ import annotations

import asyncio
import json

import httpx
from fastapi.testclient import TestClient

from app.engines.protocols import REWARD_MODEL
from app.engines.remote_tools import RemoteTool
from app.worker.app import create_worker_app
from app.worker.config import WorkerSettings
from tests.engines.test_remote_adapters import pool
from tests.worker.test_worker_app import scorers


def test_the_worker_runs_code_in_its_sandbox_only_where_allowed() -> None:
    allowed = WorkerSettings(tools_allow_exec=True, sandbox={"cpu_s": 1, "timeout_s": 3})
    with TestClient(create_worker_app(allowed, lambda _: scorers())) as client:
        ran = client.post("/tool", json={"tool": "python", "code": "print(2 ** 10)"})
        hostile = client.post("/tool", json={"code": "while True:\n    pass"})
    assert ran.status_code == 200 and ran.json() | {"cpu_ms": 0} == {
        "output": "1024\n",
        "outcome": "ok",
        "cpu_ms": 0,
        "exit_status": 0,
    }
    assert hostile.status_code == 200 and hostile.json()["outcome"] == "limit"
    with TestClient(create_worker_app(WorkerSettings(), lambda _: scorers())) as client:
        refused = client.post("/tool", json={"code": "print(1)"})
    assert refused.status_code == 422 and "BON_WORKER_TOOLS_ALLOW_EXEC" in refused.json()["error"]["message"]


def test_the_apis_remote_tool_reads_the_answer_and_turns_a_failure_into_an_error_output() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"output": "42\n", "outcome": "ok", "cpu_ms": 12.5, "exit_status": 0})

    result = asyncio.run(RemoteTool(pool(handler, REWARD_MODEL)).run("print(6 * 7)"))
    assert (result.output, result.outcome, result.cpu_ms, result.exit_status) == ("42\n", "ok", 12.5, 0)
    assert seen == [{"tool": "python", "code": "print(6 * 7)"}]

    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"error": {"message": "boom"}})

    failed = asyncio.run(RemoteTool(pool(broken, REWARD_MODEL)).run("print(1)"))
    assert failed.outcome == "error" and "could not run" in failed.output
