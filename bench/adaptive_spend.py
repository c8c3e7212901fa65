"""Benchmark: what the adaptive strategy spends against fixed N, on held-out problems.

For each problem: fixed N=16, fixed N=64 and adaptive (at most 64 chains), one request at a time
through `POST /solve` on the embedded default, the same seed for all three. Reports accuracy,
mean reasoning tokens per problem and median latency; the adaptive rules are the server's
(`BON_ADAPTIVE__*`). A quick check, not the issue's evaluation (`bon eval --strategy adaptive`).

    .venv/bin/python bench/adaptive_spend.py [--problems 100]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from tqdm import tqdm

from app.config import Settings
from app.main import create_app
from lab.background_server import start_background_server
from lab.task import arith

RUNS = {
    "fixed N=16": {"n": 16},
    "fixed N=64": {"n": 64},
    "adaptive ≤64": {"strategy": "adaptive", "budget": {"max_chains": 64}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=100)
    parser.add_argument("--port", type=int, default=8768)
    args = parser.parse_args()
    settings = Settings(port=args.port, request_timeout_s=600)
    server = start_background_server(create_app(settings), args.port)
    problems = arith.problems("test", args.problems, seed=4242)
    rows = {name: {"right": 0, "tokens": [], "ms": [], "chains": [], "stops": Counter()} for name in RUNS}
    try:
        with server.client() as client:
            client.post("/solve", json={"problem": problems[0].text, "n": 16}).raise_for_status()  # warm-up
            for i, p in enumerate(tqdm(problems)):
                for name, extra in RUNS.items():
                    t0 = time.perf_counter()
                    r = client.post("/solve", json={"problem": p.text, "seed": i} | extra)
                    r.raise_for_status()
                    data, row = r.json(), rows[name]
                    row["ms"].append(1000 * (time.perf_counter() - t0))
                    row["right"] += data["answer"] == str(p.answer)
                    row["tokens"].append(data["usage"]["reasoning_tokens"])
                    row["chains"].append(data["chain_counts"]["sampled"])
                    if data["search"]:
                        row["stops"][data["search"]["stop_reason"]] += 1
    finally:
        server.stop()
    print(f"\n{args.problems} held-out problems (arith test split, seed 4242), embedded default, one at a time\n")
    print("| run | accuracy | reasoning tokens / problem | chains / problem | p50 latency (ms) | stops |")
    print("|---|---:|---:|---:|---:|---|")
    for name, row in rows.items():
        stops = ", ".join(f"{k} {v}" for k, v in row["stops"].most_common()) or "–"
        print(
            f"| {name} | {100 * row['right'] / args.problems:.1f}% | {statistics.fmean(row['tokens']):.0f} "
            f"| {statistics.fmean(row['chains']):.1f} | {statistics.median(row['ms']):.0f} | {stops} |"
        )


if __name__ == "__main__":
    main()
