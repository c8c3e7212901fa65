"""Benchmark: the whole /solve against the generation alone, at N = 1, 4, 16, 64.

One set of engines (the embedded default, shipped models). For each problem and N, first the
generation alone (`Generator.generate` with the exact request /solve makes: prompt, N, seed,
temperature, budget), then `POST /solve` with the same seed. The ratio /solve ÷ generation is what
the live pipeline exists to bring down: everything past 1.0 is scoring, selection and the summary
that did not overlap the decoding. The service's own timings split the rest.

    .venv/bin/python bench/live_latency.py --label after [--reps 7]

Writes bench/live_latency_<label>.json; with both `before` and `after` there, bench/LIVE_RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

from app.config import Settings
from app.engines.protocols import SamplingRequest
from app.main import create_app
from lab.background_server import start_background_server
from lab.task import arith

NS = (1, 4, 16, 64)
HERE = Path(__file__).resolve().parent


def measure(reps: int, port: int) -> list[dict[str, float]]:
    settings = Settings(port=port, request_timeout_s=600)
    server = start_background_server(create_app(settings), port)
    engines = server.app.state.api.engine_loader.value
    problems = arith.problems("test", reps, seed=2024)
    rows = []
    try:
        with server.client() as client:
            for p in problems[:2]:  # warm-up: first compilations and caches
                client.post("/solve", json={"problem": p.text, "n": 16}).raise_for_status()
            for n in NS:
                generation, solve, score_ms, select_ms = [], [], [], []
                for i, p in enumerate(tqdm(problems, desc=f"N={n}", leave=False)):
                    request = SamplingRequest(
                        f"Q:{p.text}\n", n, settings.default_temperature, settings.default_max_tokens, seed=i
                    )
                    t0 = time.perf_counter()
                    server.call(engines.generator.generate(request, f"bench-gen-{n}-{i}"))
                    generation.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    r = client.post("/solve", json={"problem": p.text, "n": n, "seed": i})
                    solve.append(time.perf_counter() - t0)
                    r.raise_for_status()
                    timings = r.json()["timings"]
                    score_ms.append(timings["score_ms"])
                    select_ms.append(timings["select_ms"])
                g, s = statistics.median(generation), statistics.median(solve)
                rows.append(
                    {
                        "n": n,
                        "generation_ms": g * 1000,
                        "solve_ms": s * 1000,
                        "ratio": s / g,
                        "score_after_generation_ms": statistics.median(score_ms),
                        "select_ms": statistics.median(select_ms),
                    }
                )
                print(f"N={n:>2}  generation {g * 1000:7.1f} ms  /solve {s * 1000:7.1f} ms  ratio {s / g:.2f}")
    finally:
        server.stop()
    return rows


def table(rows: list[dict[str, float]]) -> list[str]:
    return [
        "| N | generation alone (ms) | POST /solve (ms) | /solve ÷ generation | scoring after generation (ms) "
        "| select + summary (ms) |",
        "|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {r['n']:.0f} | {r['generation_ms']:.1f} | {r['solve_ms']:.1f} | {r['ratio']:.2f} "
            f"| {r['score_after_generation_ms']:.1f} | {r['select_ms']:.2f} |"
            for r in rows
        ],
    ]


def report() -> None:
    runs = {label: json.loads((HERE / f"live_latency_{label}.json").read_text()) for label in ("before", "after")}
    lines = ["# The live pipeline: /solve against the generation alone", ""]
    for label, run in runs.items():
        lines += [
            f"## {label} ({run['commit']})",
            "",
            f"Machine: {run['machine']}. Command: `{run['command']}`; median of {run['reps']} problems per N, "
            "one request at a time, the generation alone measured just before each /solve on the same engines.",
            "",
            *table(run["rows"]),
            "",
        ]
    (HERE / "LIVE_RESULTS.md").write_text("\n".join(lines))
    print(f"wrote {HERE / 'LIVE_RESULTS.md'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="before or after")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    run = {
        "commit": commit,
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, 2 CPU cores, no GPU "
        "(vLLM CPU backend, shipped models, embedded default)",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "reps": args.reps,
        "rows": measure(args.reps, args.port),
    }
    (HERE / f"live_latency_{args.label}.json").write_text(json.dumps(run, indent=1) + "\n")
    if all((HERE / f"live_latency_{label}.json").exists() for label in ("before", "after")):
        report()


if __name__ == "__main__":
    main()
