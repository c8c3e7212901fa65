"""Benchmark: /solve latency of the split deployment against the embedded one, at N=16.

Embedded: the app with in-process engines. Split: `vllm serve` (generator) and `bon worker`
(PRM + ORM) as local processes on loopback and the app pointed at them, as docker/compose.yaml
runs them. Same problems, same seeds, one request at a time, then 8 at once. Writes
bench/SPLIT_RESULTS.md.

    .venv/bin/python bench/split_latency.py [--reps 10]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from app.config import Settings
from app.core.steps import split_steps
from app.engines.protocols import SamplingRequest
from app.main import create_app
from lab.background_server import BackgroundServer, start_background_server
from lab.local_services import engine_services
from lab.task import arith

N = 16


def hops(server: BackgroundServer, problems: list[arith.Problem]) -> dict[str, float]:
    """Each engine alone, through the app's own adapters (for the split one: each remote hop)."""
    engines = server.app.state.api.engine_loader.value
    generation, scoring = [], []
    for i, p in enumerate(problems):
        request = SamplingRequest(f"Q:{p.text}\n", N, 1.0, 160, seed=i)
        t0 = time.perf_counter()
        chains = server.call(engines.generator.generate(request, f"hop-gen-{i}")).chains
        generation.append(time.perf_counter() - t0)
        steps = [split_steps(c.text, "\n") for c in chains]
        t0 = time.perf_counter()
        server.call(engines.scorer.score(p.text, steps, f"hop-score-{i}"))
        scoring.append(time.perf_counter() - t0)
    return {"generator alone": statistics.median(generation), "reward model alone": statistics.median(scoring)}


def measure(server: BackgroundServer, problems: list[arith.Problem]) -> tuple[list[float], float, dict[str, float]]:
    """Sequential latencies (s), the wall time (s) of the same problems sent 8 at a time, and where
    one request's time goes (s, medians)."""
    with httpx.Client(base_url=server.url, timeout=600) as client:
        client.post("/solve", json={"problem": problems[0].text, "n": 4, "seed": 0}).raise_for_status()  # warm-up
        latencies, decoding, after = [], [], []
        for i, p in enumerate(problems):
            t0 = time.perf_counter()
            r = client.post("/solve", json={"problem": p.text, "n": N, "seed": i})
            latencies.append(time.perf_counter() - t0)
            r.raise_for_status()
            decoding.append(r.json()["timings"]["generate_ms"] / 1000)
            after.append(r.json()["timings"]["score_ms"] / 1000)

        def one(ip: tuple[int, arith.Problem]) -> None:
            client.post("/solve", json={"problem": ip[1].text, "n": N, "seed": ip[0]}).raise_for_status()

        t0 = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, enumerate(problems)))
        wall = time.perf_counter() - t0
    where = hops(server, problems) | {
        "/solve: decoding, steps scored alongside": statistics.median(decoding),
        "/solve: scoring left after decoding": statistics.median(after),
        "/solve: whole request": statistics.median(latencies),
    }
    return latencies, wall, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("SPLIT_RESULTS.md"))
    args = parser.parse_args()
    problems = arith.problems("test", args.reps, seed=2024)
    results: dict[str, tuple[list[float], float, dict[str, float]]] = {}

    embedded = start_background_server(create_app(Settings(port=args.port, request_timeout_s=600)), args.port)
    try:
        results["embedded"] = measure(embedded, problems)
    finally:
        embedded.stop()

    settings = Settings(request_timeout_s=600)
    logs = Path(tempfile.mkdtemp(prefix="bon-bench-split-"))
    with engine_services(settings, args.port + 1, args.port + 2, logs) as (generator, reward):
        split_settings = settings.model_copy(
            update={"port": args.port + 3, "generator_url": (generator.url,), "reward_url": (reward.url,)}
        )
        split = start_background_server(create_app(split_settings), args.port + 3)
        try:
            results["split"] = measure(split, problems)
        finally:
            split.stop()

    rows = []
    for name, (lat, wall, _) in results.items():
        ms = sorted(x * 1000 for x in lat)
        rows.append((name, statistics.median(ms), ms[int(0.9 * (len(ms) - 1))], len(problems) / wall))
        print(
            f"{name:>8}: median {rows[-1][1]:.0f} ms, p90 {rows[-1][2]:.0f} ms, {rows[-1][3]:.2f} req/s at 8 in flight"
        )
    base = rows[0][1]
    lines = [
        "# Split deployment against the embedded default: /solve at N=16",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, 2 CPU cores, no GPU "
        "(vLLM CPU backend, shipped models).",
        f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}` — {len(problems)} held-out problems, "
        "the same seeds in both; latency one request at a time, throughput with 8 in flight.",
        "",
        "| deployment | median (ms) | p90 (ms) | vs embedded | throughput, 8 in flight (req/s) |",
        "|---|---:|---:|---:|---:|",
        *[f"| {n} | {m:.0f} | {p:.0f} | {100 * (m - base) / base:+.1f}% | {t:.2f} |" for n, m, p, t in rows],
        "",
        "Split = `vllm serve` (generator) + `bon worker` (PRM, ORM) as local processes on loopback, the app "
        "pointed at them with `BON_GENERATOR_URL` / `BON_REWARD_URL`; what docker/compose.yaml runs.",
        "",
        "Where one request's time goes (medians, ms): each engine alone through the app's adapters (for the "
        "split deployment, one remote hop each: `POST /v1/completions` with n=16 to `vllm serve`, `POST /score` "
        "of the 16 chains to `bon worker`), then /solve's own stage timings.",
        "",
        "| hop | embedded | split |",
        "|---|---:|---:|",
        *[
            f"| {hop} | {1000 * results['embedded'][2][hop]:.0f} | {1000 * results['split'][2][hop]:.0f} |"
            for hop in results["embedded"][2]
        ],
    ]
    args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
