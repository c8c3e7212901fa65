"""Benchmark: what the audit store adds to POST /solve latency at N=16, and whether stopping
PostgreSQL mid-run fails a request.

One server, one set of engines (the embedded default, shipped models); three solve services over
them, differing only in where the answers are recorded: nowhere, SQLite (the default) and
PostgreSQL (a throw-away cluster). Requests go over HTTP; before each one (or each batch of
concurrent ones) the app is pointed at one of the three services, in shuffled order, so the three
share the machine's noise. Overhead = (latency with the store - without) / without, as a ratio of
means and of medians measured in the same run, with a bootstrap 95% interval.

Then PostgreSQL is stopped in the middle of a run: every request must still answer 200, and once
it is started again the buffered records must be written and the chain must verify.

    .venv/bin/python bench/audit_overhead.py [--rounds 60] [--concurrency 8]

Writes bench/AUDIT_RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from app.audit.store import AuditStore, database_url, verify
from app.audit.writer import AuditMetrics, AuditWriter
from app.config import Settings
from app.engines.container import build_engines
from app.main import Startup, build_solve_service, create_app
from app.service.solve import SolveService
from lab.background_server import BackgroundServer, start_background_server
from lab.postgres import PostgresCluster, postgres_bin
from lab.task import arith

MODES = ("none", "sqlite", "postgresql")
N = 16


def paired_ratio(with_store: list[float], without: list[float], reps: int = 4000) -> tuple[float, float, float]:
    """The geometric mean of the rounds' paired ratios (same problems, same seeds, same round),
    with a bootstrap 95% interval: the estimate least moved by a round the machine stalled."""
    rng = random.Random(0)
    logs = [math.log(a / b) for a, b in zip(with_store, without, strict=True)]
    estimates = sorted(statistics.fmean(logs[rng.randrange(len(logs))] for _ in logs) for _ in range(reps))
    return (
        math.exp(statistics.fmean(logs)),
        math.exp(estimates[int(0.025 * reps)]),
        math.exp(estimates[int(0.975 * reps)]),
    )


def record_cost(bench: Bench, problem: str, reps: int) -> dict[str, float]:
    """What one N=16 record costs the process, timed alone: building it (on the event loop) and
    appending it to each store."""
    from app.audit.record import GENESIS, chain_row, solve_entry
    from app.service.params import Requested, Sampling

    params = bench.app.state.api.policy.resolve(Requested(problem, sampling=Sampling(seed=1), n=N))
    outcome = bench.server.call(bench.services["none"].solve(params, "cost"))
    started = time.perf_counter()
    for _ in range(reps):
        chain_row(solve_entry(outcome, "key-bench", True), 1, GENESIS)
    cost = {"build": (time.perf_counter() - started) / reps}
    for mode, writer in bench.writers.items():
        entry = solve_entry(outcome, "key-bench", True)
        for batch in (1, 8):
            started = time.perf_counter()
            for _ in range(reps // batch):
                bench.server.call(writer.store.append([entry] * batch))
            cost[f"{mode}/{batch}"] = (time.perf_counter() - started) / (reps // batch * batch)
    cost["bytes"] = len(chain_row(solve_entry(outcome, "key-bench", True), 1, GENESIS).body)
    return cost


class Bench:
    def __init__(self, server: BackgroundServer, services: dict[str, SolveService], writers: dict[str, AuditWriter]):
        self.server, self.services, self.writers = server, services, writers
        self.app = server.app

    def use(self, mode: str) -> None:
        self.app.state.api.solve_service = self.services[mode]

    def wait_written(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while any(w.pending for w in self.writers.values()):
            if time.monotonic() > deadline:
                raise RuntimeError("the audit writers did not catch up")
            time.sleep(0.05)


def solve(client: httpx.Client, problem: str, seed: int) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    r = client.post("/solve", json={"problem": problem, "n": N, "seed": seed})
    return time.perf_counter() - started, r


def latency_phase(
    bench: Bench, rounds: int, concurrency: int, block: int, problems: list[str]
) -> dict[str, list[float]]:
    """Per round, each mode in shuffled order runs `block` batches of `concurrency` requests in a
    row (the same problems and seeds for every mode), their mean latency. A block is long enough
    for a mode's background writes to land on its own requests (at most the last batch's spill
    past it), and the writers are drained between blocks, so no mode pays for another's."""
    rng = random.Random(concurrency)
    per_mode: dict[str, list[float]] = {m: [] for m in MODES}
    cpu = {m: 0.0 for m in MODES}  # this process's CPU time: the API, its audit writer, and the clients
    clients = [bench.server.client() for _ in range(concurrency)]
    with ThreadPoolExecutor(concurrency) as pool:
        for r in tqdm(range(rounds), desc=f"N={N}, {concurrency} at once"):
            order = list(MODES)
            rng.shuffle(order)
            for mode in order:
                bench.use(mode)
                took = []
                cpu_before = time.process_time()
                for b in range(block):
                    first = (r * block + b) * concurrency
                    jobs = [
                        pool.submit(solve, clients[k], problems[(first + k) % len(problems)], first + k)
                        for k in range(concurrency)
                    ]
                    for elapsed, response in (j.result() for j in jobs):
                        response.raise_for_status()
                        took.append(elapsed)
                per_mode[mode].append(statistics.fmean(took))
                bench.wait_written()
                cpu[mode] += time.process_time() - cpu_before
    for c in clients:
        c.close()
    requests = rounds * block * concurrency
    per_mode.update({f"cpu:{m}": [cpu[m] / requests] for m in MODES})
    return per_mode


def stopped_postgres_phase(
    bench: Bench, cluster: PostgresCluster, requests: int, problems: list[str]
) -> dict[str, Any]:
    bench.use("postgresql")
    writer = bench.writers["postgresql"]
    before = bench.server.call(writer.store.count())
    statuses: list[int] = []
    degraded_seen: str | None = None
    latencies: list[float] = []
    with bench.server.client() as client:
        for i in tqdm(range(requests), desc="PostgreSQL stopped mid-run"):
            if i == requests // 3:
                cluster.stop("immediate")
                stopped_at = time.monotonic()
            if i == 2 * requests // 3:
                degraded_seen = writer.degraded  # what /ready says while it is down
                cluster.start()
                stopped_for = time.monotonic() - stopped_at
            took, r = solve(client, problems[i % len(problems)], 10_000 + i)
            statuses.append(r.status_code)
            latencies.append(took)
    bench.wait_written()
    after = bench.server.call(writer.store.count())
    check = bench.server.call(verify(writer.store))
    return {
        "requests": requests,
        "ok": statuses.count(200),
        "stopped_for_s": stopped_for,
        "recorded": after - before,
        "verified": check.ok,
        "checked": check.checked,
        "degraded": degraded_seen,
        "latency_ms": 1000 * statistics.median(latencies),
    }


async def make_writer(url: str, registry_app: Any) -> AuditWriter:
    writer = AuditWriter(AuditStore(url, timeout_s=2.0), AuditMetrics(registry_app))
    writer.start()
    if not await writer.started(30):
        raise RuntimeError(f"the audit store {url} did not start")
    return writer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=80, help="rounds of one request at a time")
    parser.add_argument("--block", type=int, default=5, help="requests in a row per store and round, one at a time")
    parser.add_argument("--concurrent-rounds", type=int, default=40, help="rounds of 3 batches of --concurrency")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--stopped-requests", type=int, default=60)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("AUDIT_RESULTS.md"))
    args = parser.parse_args()

    binaries = postgres_bin()
    if binaries is None:
        raise SystemExit("PostgreSQL is not installed (Debian's postgresql package)")
    cluster = PostgresCluster(binaries, Path(tempfile.mkdtemp(prefix="bon-bench-pg-")))
    cluster.init()
    data = Path(tempfile.mkdtemp(prefix="bon-bench-data-"))
    settings = Settings(port=args.port, request_timeout_s=600, trace_db="none", max_concurrent_requests=64)
    server = start_background_server(create_app(settings), args.port)
    try:
        engines = server.app.state.api.engine_loader.value
        startup = Startup.of(settings, engines, build_engines)
        from prometheus_client import CollectorRegistry

        writers = {}
        for mode, url in (("sqlite", database_url(None, data)), ("postgresql", database_url(cluster.url, data))):
            assert url is not None
            writers[mode] = server.call(make_writer(url, CollectorRegistry()))
        services = {"none": server.app.state.api.solve_service}
        for mode, writer in writers.items():
            services[mode] = build_solve_service(engines, startup, server.app.state.api.metrics, writer)
        bench = Bench(server, services, writers)
        problems = [p.text for p in arith.problems("test", 200, seed=4242)]
        with server.client() as client:  # warm-up
            for mode in MODES:
                bench.use(mode)
                solve(client, problems[0], 0)[1].raise_for_status()
        bench.wait_written()
        phases = {
            1: latency_phase(bench, args.rounds, 1, args.block, problems),
            args.concurrency: latency_phase(bench, args.concurrent_rounds, args.concurrency, 3, problems),
        }
        cost = record_cost(bench, problems[1], 200)
        stopped = stopped_postgres_phase(bench, cluster, args.stopped_requests, problems)
        for writer in writers.values():
            server.call(writer.close(10))
    finally:
        server.stop()
        cluster.stop("immediate")

    rows = []
    for c, per_mode in phases.items():
        base = per_mode["none"]
        base_cpu = per_mode["cpu:none"][0]
        for mode in MODES:
            mean, median = statistics.fmean(per_mode[mode]), statistics.median(per_mode[mode])
            cpu_ms = 1000 * per_mode[f"cpu:{mode}"][0]
            if mode == "none":
                rows.append(
                    f"| {c} | {len(base)} | none | {1000 * mean:.1f} | {1000 * median:.1f} | — | — | {cpu_ms:.1f} | — |"
                )
                continue
            ratio, lo, hi = paired_ratio(per_mode[mode], base)
            ratio_mean = 100 * (mean / statistics.fmean(base) - 1)
            extra_cpu = 1000 * (per_mode[f"cpu:{mode}"][0] - base_cpu)
            rows.append(
                f"| {c} | {len(base)} | {mode} | {1000 * mean:.1f} | {1000 * median:.1f} | {ratio_mean:+.2f}% | "
                f"{100 * (ratio - 1):+.2f}% ({100 * (lo - 1):+.2f}% … {100 * (hi - 1):+.2f}%) | {cpu_ms:.1f} | "
                f"{extra_cpu:+.2f} ms ({100 * extra_cpu / (1000 * statistics.fmean(base)):+.2f}% of the latency) |"
            )
        print("\n".join(rows[-3:]))
    median_alone = statistics.median(phases[1]["none"])

    def share(seconds: float) -> str:
        return f"{1000 * seconds:.2f} ms ({100 * seconds / median_alone:.2f}%)"

    lines = [
        "# What the audit store adds to /solve latency",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, 2 CPU cores, no GPU "
        "(vLLM CPU backend, shipped models, embedded default); PostgreSQL 15 on the same machine.",
        f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`. In each round every store, in shuffled "
        f"order, serves the same problems with the same seeds at N={N}: {args.block} requests in a row one at "
        f"a time, or 3 batches of {args.concurrency} at once; its writer is drained before the next store's "
        "turn, so each store's background writes land on its own requests. Latency is POST /solve over HTTP "
        "on loopback; a round's value is the mean over its requests.",
        "",
        "| requests at once | rounds | audit store | mean (ms) | median (ms) | ratio of means − 1 | "
        "paired ratio − 1 (95% interval) | API process CPU / request (ms) | CPU the store adds / request |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Paired ratio: the geometric mean, over rounds, of (latency with the store) / (latency without), "
        "with a bootstrap interval over rounds. The latency's noise on this machine (a 2-core box whose cores "
        "the engines saturate) is several percent, wider than the effect; the CPU column is the steadier "
        "measure: the time the API process (server, pipeline, audit writer and the load generator's threads, "
        "the same for every store; the engines run in processes of their own) spent per request, its "
        "writer's work included.",
        "",
        f"What one N={N} record costs, timed alone ({cost['bytes'] / 1024:.1f} KiB of JSON), against the "
        f"median one-at-a-time latency without a store ({1000 * median_alone:.0f} ms): building it "
        f"{share(cost['build'])}; appending it to SQLite {share(cost['sqlite/1'])} alone, "
        f"{share(cost['sqlite/8'])} each in a batch of 8; to PostgreSQL {share(cost['postgresql/1'])} alone, "
        f"{share(cost['postgresql/8'])} in a batch of 8. The request waits for none of it: it hands its "
        "answer to a buffer, and one background task per process builds the records and writes them, "
        "waiting up to 50 ms for others to share a transaction (app/audit/writer.py).",
        "",
        "## PostgreSQL stopped mid-run",
        "",
        f"{stopped['requests']} requests at N={N}, one at a time; PostgreSQL stopped (`pg_ctl stop -m immediate`) "
        f"after a third of them and started again after two thirds ({stopped['stopped_for_s']:.0f} s down).",
        "",
        f"- answered 200: {stopped['ok']} of {stopped['requests']} (median latency {stopped['latency_ms']:.0f} ms)",
        f"- /ready while it was down: `{stopped['degraded']}`",
        f"- records written once it was back: {stopped['recorded']} of {stopped['requests']}; "
        f"`verify`: {'intact' if stopped['verified'] else 'BROKEN'} ({stopped['checked']} records)",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
