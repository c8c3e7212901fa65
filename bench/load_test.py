"""Load test: many concurrent clients against the embedded default, on loopback.

Starts `bon serve` as its own process (the load generator must not share its interpreter), sends
`--requests` held-out problems from `--concurrency` clients at once, and counts what came back:
every response must be a 200 with an answer, or a clean 429/503 with Retry-After; nothing may be
lost (no transport error, no timeout). With the default limits (32 running, 256 waiting) and 64
clients nothing should be refused at all.

    .venv/bin/python bench/load_test.py [--requests 1000] [--concurrency 64] [--n 16]

`--split` runs the split deployment instead (generator server, reward worker and API as local
processes) and kills the reward worker once `--kill-at` of the requests are answered, then starts
it again: every response must then be a 200 with an answer or a 503 naming the reward service,
none may pass the request deadline, and the API must serve again once the worker is back,
without a restart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from tqdm import tqdm

from lab.local_services import LocalService, engine_services
from lab.task import arith


def start_server(port: int, log: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BON_PORT": str(port), **(extra_env or {})}
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"the server exited; see {log}")
        time.sleep(1)
    server.kill()
    raise RuntimeError(f"the server was not ready in 300 s; see {log}")


async def load(
    port: int, requests: int, concurrency: int, n: int, fault: Fault | None = None
) -> tuple[Counter[str], list[float], int]:
    problems = arith.problems("test", requests, seed=777)
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    right = 0
    done = 0
    gate = asyncio.Semaphore(concurrency)
    bar = tqdm(total=requests, desc=f"{concurrency} clients", mininterval=2.0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:

        async def one(i: int, problem: arith.Problem) -> None:
            nonlocal right, done
            async with gate:
                t0 = time.perf_counter()
                try:
                    r = await client.post("/solve", json={"problem": problem.text, "n": n, "seed": i})
                except httpx.HTTPError as exc:
                    outcomes[f"lost ({type(exc).__name__})"] += 1
                    bar.update()
                    return
                latencies.append(time.perf_counter() - t0)
                done += 1
                if fault is not None and done == fault.at:
                    fault.task = asyncio.create_task(fault.run())
                phase = fault.phase() if fault is not None else ""
                if r.status_code == 200 and r.json().get("answer") is not None:
                    outcomes[f"200 with an answer{phase}"] += 1
                    right += r.json()["answer"] == str(problem.answer)
                elif r.status_code == 503 and "reward" in r.text and r.headers.get("retry-after"):
                    outcomes[f"503 naming the reward service{phase}"] += 1
                elif r.status_code in (429, 503) and r.headers.get("retry-after"):
                    outcomes[f"{r.status_code} with Retry-After"] += 1
                else:
                    outcomes[f"unexpected {r.status_code}"] += 1
                bar.update()

        await asyncio.gather(*(one(i, p) for i, p in enumerate(problems)))
        if fault is not None and fault.task is not None:
            await fault.task
    bar.close()
    return outcomes, latencies, right


class Fault:
    """Kill the reward worker after `at` answers, wait, start it again (each step off the loop)."""

    def __init__(self, reward: LocalService, at: int, down_s: float) -> None:
        self.reward, self.at, self.down_s = reward, at, down_s
        self.state = "before"
        self.task: asyncio.Task[None] | None = None

    def phase(self) -> str:
        return f" ({self.state} the worker's restart)" if self.state != "before" else " (before the kill)"

    async def run(self) -> None:
        self.state = "during"
        await asyncio.to_thread(self.reward.stop)
        await asyncio.sleep(self.down_s)
        await asyncio.to_thread(self.reward.start)
        self.state = "after"


def run_split(args: argparse.Namespace) -> tuple[Counter[str], list[float], int, float]:
    import tempfile

    from app.config import Settings

    settings = Settings(port=args.port)
    log_dir = Path(tempfile.mkdtemp(prefix="bon-load-"))
    with engine_services(settings, args.port + 1, args.port + 2, log_dir) as (generator, reward):
        env = {"BON_GENERATOR_URL": generator.url, "BON_REWARD_URL": reward.url}
        server = start_server(args.port, log_dir / "api.log", env)
        try:
            fault = Fault(reward, int(args.kill_at * args.requests), args.down_s)
            t0 = time.perf_counter()
            outcomes, latencies, right = asyncio.run(load(args.port, args.requests, args.concurrency, args.n, fault))
            # The worker is back (the fault's restart was awaited): the API must serve again as it is.
            again, more, right_again = asyncio.run(load(args.port, args.requests // 4, args.concurrency, args.n))
            for what, count in again.items():
                outcomes[f"{what} (a new round once the worker was back)"] += count
            return outcomes, latencies + more, right + right_again, time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(60)


async def audit_records(data: Path) -> tuple[int, bool]:
    """The answers the server recorded (written by its shutdown at the latest), and whether the
    chain verifies."""
    from app.audit.store import AuditStore, database_url, verify

    url = database_url(None, data)
    assert url is not None
    store = AuditStore(url)
    try:
        solved = 0
        async for row in store.rows():
            solved += row.kind == "solve"
        return solved, (await verify(store)).ok
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--port", type=int, default=8781)
    parser.add_argument("--split", action="store_true", help="The split deployment, its reward worker killed.")
    parser.add_argument("--kill-at", type=float, default=0.3, help="--split: the share answered before the kill.")
    parser.add_argument("--down-s", type=float, default=5.0, help="--split: how long the worker stays down.")
    args = parser.parse_args()
    if args.split:
        outcomes, latencies, right, wall = run_split(args)
    else:
        log = Path("runs/load_test_server.log")
        log.parent.mkdir(exist_ok=True)
        data = Path(tempfile.mkdtemp(prefix="bon-load-data-"))  # the audit store of this run alone
        server = start_server(args.port, log, {"BON_DATA_DIR": str(data)})
        try:
            t0 = time.perf_counter()
            outcomes, latencies, right = asyncio.run(load(args.port, args.requests, args.concurrency, args.n))
            wall = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(60)
        print(f"the server exited with {server.returncode} on SIGTERM")
        if os.environ.get("BON_TRACE_DB", "").strip().lower() != "none":
            recorded, intact = asyncio.run(audit_records(data))
            print(f"  audit records of answers: {recorded}; the hash chain {'is intact' if intact else 'is BROKEN'}")
    latencies.sort()
    answered = sum(count for what, count in outcomes.items() if what.startswith("200 with an answer"))
    print(
        f"\n{args.requests} requests (N={args.n}) from {args.concurrency} clients in {wall:.0f} s "
        f"({args.requests / wall:.1f} requests/s)"
    )
    for what, count in outcomes.most_common():
        print(f"  {what}: {count}")
    print(f"  right answers: {right} of {answered} ({100 * right / max(answered, 1):.1f}%)")
    print(
        f"  latency p50 {1000 * statistics.median(latencies):.0f} ms, "
        f"p95 {1000 * latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms, max {1000 * latencies[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
