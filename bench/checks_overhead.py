"""Benchmark: what the step checks cost a /solve, on the embedded default with the shipped models.

Two measures, each taken in `--rounds` rounds to give their spread:

- /solve at fixed N=16 with `checks: "none"` and with the shipped format's checkers (`auto`:
  the calculator and the task's grammar), interleaved problem by problem with the same seed, so
  both decode the same chains, each going first on every other problem (the second finds the
  prompt in vLLM's prefix cache); the ratio of the p50s is what the checks add to the latency;
- the checks' own CPU time per request, timed directly on 16 recorded chains per problem
  (`runs/validation_samples.jsonl`, from `bon eval --strategy adaptive`), which no other work
  on the machine can inflate.

Writes bench/CHECKS_RESULTS.md.

    .venv/bin/python bench/checks_overhead.py [--problems 150] [--rounds 2]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import httpx

from app.config import Settings
from app.main import create_app
from lab.background_server import start_background_server
from lab.evaluation import samples as sampling
from lab.evaluation.checks_run import check_time_ms
from lab.task import arith

CHECKERS = tuple(arith.NOTATION.checkers)


def solve_round(client: httpx.Client, problems: list[arith.Problem]) -> tuple[float, float]:
    """p50 (ms) of /solve without and with the checks, interleaved."""
    plain, checked = [], []
    for i, p in enumerate(problems):
        # The second request of a pair finds the prompt in vLLM's prefix cache: alternate who goes first.
        pair = [("none", plain), ("auto", checked)]
        for checks, into in pair if i % 2 == 0 else pair[::-1]:
            t0 = time.perf_counter()
            r = client.post("/solve", json={"problem": p.text, "n": 16, "seed": i, "checks": checks})
            into.append(1000 * (time.perf_counter() - t0))
            r.raise_for_status()
    return statistics.median(plain), statistics.median(checked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--samples", type=Path, default=Path("runs/validation_samples.jsonl"))
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("CHECKS_RESULTS.md"))
    args = parser.parse_args()

    problems = arith.problems("test", args.problems, seed=2026)
    recorded = [s for s in sampling.load(args.samples) if s.kind == "in_range"][: args.problems]
    server = start_background_server(create_app(Settings(port=args.port, request_timeout_s=600)), args.port)
    rounds = []
    try:
        with server.client(timeout=600) as client:
            client.post("/solve", json={"problem": problems[0].text, "n": 4}).raise_for_status()  # warm-up
            for _ in range(args.rounds):
                plain, checked = solve_round(client, problems)
                rounds.append((plain, checked, check_time_ms(recorded, CHECKERS)))
    finally:
        server.stop()
    write(args, rounds)


def write(args: argparse.Namespace, rounds: list[tuple[float, float, float]]) -> None:
    lines = [
        "# What the step checks cost a /solve",
        "",
        f"`.venv/bin/python bench/checks_overhead.py --problems {args.problems} --rounds {args.rounds}` on "
        f"{platform.machine()}, 2 CPU cores, vLLM's CPU backend; the embedded default with the shipped models, "
        "nothing else running. Fixed N=16, one request at a time; the same seed per problem with and without "
        f"the checks ({', '.join(CHECKERS)}), interleaved, each first on every other problem. The checks' own "
        "time: on 16 recorded chains per problem.",
        "",
        "| round | p50 without (ms) | p50 with (ms) | with / without | checks' own time per request (ms) | "
        "its share of the p50 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for k, (plain, checked, own) in enumerate(rounds, 1):
        lines.append(
            f"| {k} | {plain:.0f} | {checked:.0f} | {checked / plain:.3f} | {own:.2f} | {100 * own / plain:.2f}% |"
        )
    ratios = [c / p for p, c, _ in rounds]
    shares = [100 * o / p for p, _, o in rounds]
    lines += [
        "",
        f"Spread over the rounds: with / without {min(ratios):.3f}–{max(ratios):.3f}; the checks' own share "
        f"{min(shares):.2f}–{max(shares):.2f}% of the unchecked p50.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
