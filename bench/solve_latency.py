"""Benchmark: /solve latency at N = 1, 4, 16, 64 against the same engine calls made directly.

Both paths use one set of engines (the embedded default with the shipped models): the direct
path awaits `generate` then `score` on the server's own event loop; the service path is an HTTP
POST to /solve. Overhead = (service − direct) / direct. Writes bench/RESULTS.md.

    .venv/bin/python bench/solve_latency.py [--reps 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

from app.config import Settings
from app.core.steps import split_steps
from app.engines.protocols import SamplingRequest
from app.main import create_app
from lab.background_server import start_background_server
from lab.task import arith

NS = (1, 4, 16, 64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()

    settings = Settings(port=args.port, request_timeout_s=600)
    server = start_background_server(create_app(settings), args.port)
    engines = server.app.state.api.engine_loader.value
    problems = arith.problems("test", args.reps, seed=2024)
    rows = []
    try:
        with server.client() as client:
            client.post("/solve", json={"problem": problems[0].text, "n": 4})  # warm-up
            for n in NS:
                direct, service = [], []
                for i, p in enumerate(problems):
                    req = SamplingRequest(
                        f"Q:{p.text}\n", n, settings.default_temperature, settings.default_max_tokens, i
                    )
                    t0 = time.perf_counter()
                    gen = server.call(engines.generator.generate(req, f"bench-direct-{n}-{i}"))
                    steps = [split_steps(c.text, "\n") for c in gen.chains]
                    server.call(engines.scorer.score(p.text, steps, f"bench-direct-score-{n}-{i}"))
                    direct.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    r = client.post("/solve", json={"problem": p.text, "n": n, "seed": i})
                    service.append(time.perf_counter() - t0)
                    r.raise_for_status()
                d, s = statistics.median(direct), statistics.median(service)
                rows.append((n, d, s, 100 * (s - d) / d))
                print(f"N={n:>2}  direct {d * 1000:7.1f} ms  /solve {s * 1000:7.1f} ms  overhead {rows[-1][3]:+5.1f}%")
    finally:
        server.stop()

    lines = [
        "# /solve latency against direct engine calls",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, 2 CPU cores, no GPU "
        "(vLLM CPU backend, shipped models, embedded default).",
        f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}` — median of {args.reps} problems per N, "
        "one request at a time.",
        "",
        "| N | direct generate+score (ms) | POST /solve (ms) | service overhead |",
        "|---:|---:|---:|---:|",
        *[f"| {n} | {d * 1000:.1f} | {s * 1000:.1f} | {o:+.1f}% |" for n, d, s, o in rows],
        "",
        "Direct = `Generator.generate` then `StepScorer.score` awaited on the server's event loop; "
        "/solve adds HTTP, validation, splitting, aggregation, answer clustering, selection and the summary.",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
