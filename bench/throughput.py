"""Benchmark: how many requests per second each deployment serves, against its generator alone.

Every system runs as its own processes on loopback with nothing else running (each is stopped
before the next starts), and answers the same held-out problems with the same seeds at N=16:

- `generator alone`: `vllm serve` with the shipped generator, bound to the core the embedded
  generator takes; each request is one completion with n=16 (what sampling alone costs);
- `embedded`: `bon serve` (both engines in its process), `POST /solve` with n=16;
- `split`: `vllm serve` + `bon worker` + `bon serve` pointed at them (docker/compose.yaml's shape).

Each system is measured one request at a time, then with `--in-flight` requests kept in flight.
The CPU time each process spent (`psutil`, the process and its children, by what vLLM names them)
is divided by the requests answered. `--schedules` runs the service under each `BON_STEP_SCORING`
(the schedule table); `--rounds` repeats everything, for the spread. Writes the JSON of every
round (`--out`) and, with `--report`, the markdown tables.

    make bench-throughput   # = .venv/bin/python bench/throughput.py --report bench/THROUGHPUT.md
    .venv/bin/python bench/throughput.py [--rounds 2] [--schedules batch,finished] [--in-flight 8,32] \\
        [--requests 128] [--singles 40] [--out bench/throughput.json] [--report bench/THROUGHPUT.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import httpx
import psutil
from tqdm import tqdm

from app.config import Settings
from app.engines.vllm_common import default_cpu_cores
from lab.local_services import LocalService, engine_services, generator_service
from lab.task import arith

N = 16
MAX_TOKENS = 160


@dataclass
class Phase:
    system: str
    schedule: str
    in_flight: int
    requests: int
    ok: int
    wall_s: float
    p50_ms: float
    p95_ms: float
    cpu_ms: dict[str, float] = field(default_factory=dict)  # per request, by process

    @property
    def per_s(self) -> float:
        return self.ok / self.wall_s


@dataclass
class Target:
    """What one request is: the path and body for problem `i`."""

    url: str
    body: Callable[[int, str], dict[str, object]]
    path: str


def solve_body(i: int, problem: str) -> dict[str, object]:
    return {"problem": problem, "n": N, "max_tokens": MAX_TOKENS, "temperature": 1.0, "seed": 1000 + i}


def completion_body(i: int, problem: str) -> dict[str, object]:
    return {
        "model": "arith-generator",
        "prompt": arith.prompt(problem),
        "n": N,
        "max_tokens": MAX_TOKENS,
        "temperature": 1.0,
        "seed": 1000 + i,
    }


# ---- the processes' CPU time ------------------------------------------------------------------


def _role(proc: psutil.Process) -> str:
    """What a process is: what vLLM calls it (its process title), and for an engine, which one by
    the cores its main thread is bound to (vLLM binds its model's threads, the main one with them;
    the environment would say too, but vLLM's process title overwrites it)."""
    try:
        title = (proc.cmdline() or [proc.name()])[0].rsplit("/", 1)[-1]
        cores = ",".join(map(str, proc.cpu_affinity()))
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "gone"
    if not title.startswith("VLLM::"):
        return "api"  # the server's own process (uvicorn: `bon serve`, `bon worker`, `vllm serve`'s API)
    engines = {_cores("generator"): "generator", _cores("reward"): "reward"}
    return f"{engines.get(cores, 'unbound')} {title.removeprefix('VLLM::').split('_')[0]}"


def _cores(role: Literal["generator", "reward"]) -> str:
    """The cores of `role`'s engines as `cpu_affinity` lists them ("0-1" → "0,1")."""
    spec = default_cpu_cores(role) or ""
    first, _, last = spec.partition("-")
    return ",".join(str(c) for c in range(int(first), int(last or first) + 1)) if spec else ""


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) spent so far by each service's processes, by `service role`."""
    spent: dict[str, float] = {}
    for service, pid in roots.items():
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            key = f"{service}: {_role(proc)}"
            spent[key] = spent.get(key, 0.0) + times.user + times.system
    return spent


# ---- the load ---------------------------------------------------------------------------------


async def run_phase(target: Target, problems: list[str], in_flight: int, offset: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    ok = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(problems)):
        queue.put_nowait(i)
    bar = tqdm(total=len(problems), desc=f"  {in_flight} in flight", leave=False)

    async def client(c: httpx.AsyncClient) -> None:
        nonlocal ok
        while not queue.empty():
            i = queue.get_nowait()
            start = time.perf_counter()
            try:
                r = await c.post(target.path, json=target.body(offset + i, problems[i]))
            except httpx.TransportError as exc:  # lost: counted, never retried (it would hide the loss)
                print(f"request {offset + i} lost: {exc!r}", flush=True)
            else:
                latencies.append(time.perf_counter() - start)
                ok += r.status_code == 200
            bar.update()

    limits = httpx.Limits(max_connections=in_flight + 4)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=target.url, timeout=600, limits=limits) as c:
        await asyncio.gather(*(client(c) for _ in range(in_flight)))
    wall = time.perf_counter() - started
    bar.close()
    return latencies, ok, wall


def measure(
    system: str, schedule: str, target: Target, roots: dict[str, int], in_flight: int, problems: list[str], offset: int
) -> Phase:
    before = cpu_seconds(roots)
    latencies, ok, wall = asyncio.run(run_phase(target, problems, in_flight, offset))
    after = cpu_seconds(roots)
    cpu = {k: 1000 * (after[k] - before.get(k, 0.0)) / max(ok, 1) for k in after}
    q = statistics.quantiles(latencies, n=20)
    return Phase(system, schedule, in_flight, len(problems), ok, wall, 1000 * q[9], 1000 * q[18], cpu)


def warm_up(target: Target, problems: list[str]) -> None:
    asyncio.run(run_phase(target, problems[-8:], 4, 90_000))


# ---- the systems ------------------------------------------------------------------------------


def start_api(port: int, log: Path, env: dict[str, str]) -> LocalService:
    command = [sys.executable, "-m", "app.cli", "serve"]
    service = LocalService("api", command, f"http://127.0.0.1:{port}", "/ready", log, env)
    return service.start()


def _api_env(schedule: str) -> dict[str, str]:
    return {"BON_PORT": "18200", "BON_STEP_SCORING": schedule, "BON_TRACE_DB": "none", "BON_LOG_LEVEL": "warning"}


@contextmanager
def api_up(schedule: str, log: Path, engines: dict[str, str] | None = None) -> Iterator[tuple[Target, int]]:
    """`bon serve` under this schedule (pointed at remote `engines`, or with its own), ready."""
    api = start_api(18200, log, _api_env(schedule) | (engines or {}))
    try:
        assert api.process is not None
        yield Target(api.url, solve_body, "/solve"), api.process.pid
    finally:
        api.stop()


def measure_all(
    args: argparse.Namespace, system: str, schedule: str, target: Target, roots: dict[str, int], problems: list[str]
) -> list[Phase]:
    """One request at a time, then each in-flight count. Each phase has problems and seeds of its
    own (no chain is sampled or scored twice: the prefix caches and the PRM's memory of step
    scores would make a repeat free); every system answers the same ones."""
    print(f"{system}, {schedule}:", flush=True)
    warm_up(target, problems)
    phases = [measure(system, schedule, target, roots, 1, problems[: args.singles], 0)]
    print(f"  one at a time: p50 {phases[-1].p50_ms:.0f} ms", flush=True)
    start = args.singles
    for in_flight in args.in_flight:
        chosen = problems[start : start + args.requests]
        phases.append(measure(system, schedule, target, roots, in_flight, chosen, start))
        print(f"  {in_flight} in flight: {phases[-1].per_s:.2f} requests/s", flush=True)
        start += args.requests
    return phases


def one_round(args: argparse.Namespace, problems: list[str], logs: Path) -> list[Phase]:
    """Each system alone and started afresh: the generator, then the embedded and the split
    service under each schedule."""
    settings = Settings()
    generator = generator_service(settings.generator, 18201, logs).start()
    try:
        assert generator.process is not None
        target = Target(generator.url, completion_body, "/v1/completions")
        phases = measure_all(args, "generator alone", "-", target, {"vllm serve": generator.process.pid}, problems)
    finally:
        generator.stop()
    for schedule in args.schedules:
        with api_up(schedule, logs / f"embedded-{schedule}.log") as (target, pid):
            phases += measure_all(args, "embedded", schedule, target, {"bon serve": pid}, problems)
    for schedule in args.schedules:
        with engine_services(settings, 18201, 18202, logs) as (generator, reward):
            assert generator.process is not None and reward.process is not None
            engines = {"BON_GENERATOR_URL": generator.url, "BON_REWARD_URL": reward.url}
            roots = {"vllm serve": generator.process.pid, "bon worker": reward.process.pid}
            with api_up(schedule, logs / f"split-{schedule}.log", engines) as (target, pid):
                phases += measure_all(args, "split", schedule, target, roots | {"bon serve": pid}, problems)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--schedules", type=lambda s: s.split(","), default=["batch", "finished"])
    parser.add_argument("--in-flight", type=lambda s: [int(x) for x in s.split(",")], default=[8, 32])
    parser.add_argument("--requests", type=int, default=128, help="requests of each in-flight phase")
    parser.add_argument("--singles", type=int, default=40, help="requests one at a time")
    parser.add_argument("--out", type=Path, default=Path("bench/throughput.json"))
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--report-only", action="store_true", help="write --report from --out; run nothing")
    args = parser.parse_args()
    if args.report_only:
        report_of(args.out, args.report)
        return
    wanted = args.singles + args.requests * len(args.in_flight) + 8  # the last 8: the warm-up's
    problems = [p.text for p in arith.problems("test", wanted, seed=4242)]
    logs = Path(tempfile.mkdtemp(prefix="bon-throughput-"))
    print(f"logs in {logs}", flush=True)
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()} {platform.release()}",
        "command": "python " + " ".join(sys.argv),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout,
    }
    meta["commit"] = meta["commit"].strip()
    rounds: list[list[Phase]] = []
    for _ in range(args.rounds):  # kept after each round: a long run that fails later loses none
        rounds.append(one_round(args, problems, logs))
        kept = {"meta": meta, "rounds": [[asdict(p) for p in phases] for phases in rounds]}
        args.out.write_text(json.dumps(kept, indent=1) + "\n")
    if args.report is not None:
        args.report.write_text(report(meta, rounds))


def report_of(kept: Path, out: Path) -> None:
    """The report of a kept JSON (`--report-only`)."""
    data = json.loads(kept.read_text())
    out.write_text(report(data["meta"], [[Phase(**p) for p in phases] for phases in data["rounds"]]))


# ---- the report -------------------------------------------------------------------------------


def _cell(values: list[float], fmt: str = "{:.2f}") -> str:
    """Every round's value, and their spread (max/min - 1) when there are several."""
    text = " / ".join(fmt.format(v) for v in values)
    return text if len(values) < 2 else f"{text} (±{100 * (max(values) / min(values) - 1) / 2:.0f}%)"


def _find(phases: list[Phase], system: str, schedule: str, in_flight: int) -> Phase:
    return next(p for p in phases if (p.system, p.schedule, p.in_flight) == (system, schedule, in_flight))


def _rows(rounds: list[list[Phase]], in_flight: int) -> list[str]:
    """One row per system and schedule: throughput in each round, its ratio to the generator
    alone in the same round, latency one at a time, CPU ms per request by process."""
    lines = []
    for system, schedule in [(p.system, p.schedule) for p in rounds[0] if p.in_flight == in_flight]:
        rates, ratios, singles, failed = [], [], [], 0
        cpu: dict[str, list[float]] = {}
        for phases in rounds:
            this = _find(phases, system, schedule, in_flight)
            rates.append(this.per_s)
            failed += this.requests - this.ok
            ratios.append(this.per_s / _find(phases, "generator alone", "-", in_flight).per_s)
            singles.append(_find(phases, system, schedule, 1).p50_ms)
            for k, v in this.cpu_ms.items():
                cpu.setdefault(k, []).append(v)
        spent = ", ".join(f"{k} {statistics.mean(v):.0f}" for k, v in sorted(cpu.items()) if statistics.mean(v) >= 1)
        lines.append(
            f"| {system} | {schedule} | {_cell(rates)} | {_cell(ratios)} | {_cell(singles, '{:.0f}')} | {failed} "
            f"| {spent} |"
        )
    return lines


def report(meta: dict[str, str], rounds: list[list[Phase]]) -> str:
    in_flights = sorted({p.in_flight for p in rounds[0] if p.in_flight > 1}, reverse=True)
    out = [
        "# Throughput: each deployment against its generator alone, N=16",
        "",
        f"Machine: {meta['machine']}, no GPU (vLLM CPU backend, shipped models). Command: `{meta['command']}` "
        f"at commit {meta['commit']} ({meta['date']}); {len(rounds)} rounds, each system started alone "
        "(every process of the others stopped). Cells: each round's value, then the spread (± half the "
        "max/min gap). CPU: milliseconds of CPU per answered request, by process (mean of the rounds).",
    ]
    for in_flight in in_flights:
        out += [
            "",
            f"## {in_flight} requests in flight",
            "",
            "| system | schedule | requests/s | vs generator alone | p50 one at a time (ms) | not answered "
            "| CPU ms / request |",
            "|---|---|---:|---:|---:|---:|---|",
            *_rows(rounds, in_flight),
        ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
