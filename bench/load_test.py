"""Load test: many concurrent clients against the embedded default, on loopback.

Starts `bon serve` as its own process (the load generator must not share its interpreter), sends
`--requests` held-out problems from `--concurrency` clients at once, and counts what came back:
every response must be a 200 with an answer, or a clean 429/503 with Retry-After; nothing may be
lost (no transport error, no timeout). With the default limits (32 running, 256 waiting) and 64
clients nothing should be refused at all.

    .venv/bin/python bench/load_test.py [--requests 1000] [--concurrency 64] [--n 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from tqdm import tqdm

from lab.task import arith


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BON_PORT": str(port)}
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


async def load(port: int, requests: int, concurrency: int, n: int) -> tuple[Counter[str], list[float], int]:
    problems = arith.problems("test", requests, seed=777)
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    right = 0
    gate = asyncio.Semaphore(concurrency)
    bar = tqdm(total=requests, desc=f"{concurrency} clients", mininterval=2.0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:

        async def one(i: int, problem: arith.Problem) -> None:
            nonlocal right
            async with gate:
                t0 = time.perf_counter()
                try:
                    r = await client.post("/solve", json={"problem": problem.text, "n": n, "seed": i})
                except httpx.HTTPError as exc:
                    outcomes[f"lost ({type(exc).__name__})"] += 1
                    bar.update()
                    return
                latencies.append(time.perf_counter() - t0)
                if r.status_code == 200 and r.json().get("answer") is not None:
                    outcomes["200 with an answer"] += 1
                    right += r.json()["answer"] == str(problem.answer)
                elif r.status_code in (429, 503) and r.headers.get("retry-after"):
                    outcomes[f"{r.status_code} with Retry-After"] += 1
                else:
                    outcomes[f"unexpected {r.status_code}"] += 1
                bar.update()

        await asyncio.gather(*(one(i, p) for i, p in enumerate(problems)))
    bar.close()
    return outcomes, latencies, right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--port", type=int, default=8781)
    args = parser.parse_args()
    log = Path("runs/load_test_server.log")
    log.parent.mkdir(exist_ok=True)
    server = start_server(args.port, log)
    try:
        t0 = time.perf_counter()
        outcomes, latencies, right = asyncio.run(load(args.port, args.requests, args.concurrency, args.n))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(60)
    latencies.sort()
    answered = outcomes["200 with an answer"]
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
    print(f"  the server exited with {server.returncode} on SIGTERM")


if __name__ == "__main__":
    main()
