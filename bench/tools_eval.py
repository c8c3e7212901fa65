"""Benchmark: what the calculator inside the chains buys and costs, on the embedded default.

Fixed N=16 through `POST /solve`, one request at a time, the same seed per problem with the
calculator on (`tools: ["calculator"]`) and off, interleaved, each arm first on every other problem
(the second of a pair finds the prompt in vLLM's prefix cache). Two sets of held-out problems:

- `in range`: the task's test split (every running value within 0..9999, as in training);
- `leaving range`: problems of the task's own grammar and operand ranges whose running value goes
  below zero or past 9999 on the way (the test half by `out_of_range.half_of`): values the
  generator never saw (its training chains stay within 0..9999). With the calculator it never has
  to write them: a step goes on from the previous result, and the answer line is filled.

Per arm: accuracy, decoded tokens and tool calls per answer, and the p50 latency; each run in
`--rounds` rounds (accuracy and tokens repeat exactly with the seeds; latency gives the spread).
A tool call costs a pause (the chain's engine request ends at `=`), the calculator, and a new
engine request that reads the prompt and the chain so far from the prefix cache.

Writes bench/TOOLS_RESULTS.md.

    .venv/bin/python bench/tools_eval.py [--problems 100] [--rounds 2]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.config import Settings
from app.main import create_app
from lab.background_server import start_background_server
from lab.task import arith
from lab.task.out_of_range import evaluate, half_of

ARMS = ("none", "calculator")


@dataclass
class Arm:
    right: int = 0
    answers: int = 0
    tokens: list[int] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def add(self, data: dict[str, object], truth: int, ms: float) -> None:
        usage = data["usage"]
        assert isinstance(usage, dict)
        self.answers += 1
        self.right += data["answer"] == str(truth)
        self.tokens.append(usage["reasoning_tokens"])
        self.calls.append(usage["tool_calls"])
        self.ms.append(ms)


def leaving_range(count: int, seed: int = 29) -> list[arith.Problem]:
    """Problems of the task's grammar and operand ranges whose running value leaves 0..9999."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[arith.Problem] = []
    while len(out) < count:
        start = value = rng.randint(*arith.START_RANGE)
        ops: list[tuple[arith.Op, int]] = []
        left = False
        for _ in range(rng.randint(arith.MIN_OPS, arith.MAX_OPS)):
            op: arith.Op = rng.choice(["+", "-", "*"])
            operand = rng.randint(*arith.MUL_RANGE) if op == "*" else rng.randint(*arith.ADD_RANGE)
            ops.append((op, operand))
            value = arith.apply(value, op, operand)
            left = left or not 0 <= value <= arith.MAX_VALUE
        problem = arith.Problem(start, tuple(ops))
        if left and problem.text not in seen and half_of(problem.text) == "test":
            seen.add(problem.text)
            out.append(problem)
    return out


def run_round(client: httpx.Client, sets: dict[str, list[arith.Problem]]) -> dict[tuple[str, str], Arm]:
    arms = {(name, arm): Arm() for name in sets for arm in ARMS}
    for name, problems in sets.items():
        for i, p in enumerate(problems):
            order = ARMS if i % 2 == 0 else ARMS[::-1]
            for arm in order:
                body = {"problem": p.text, "n": 16, "seed": i, "tools": [arm] if arm != "none" else "none"}
                t0 = time.perf_counter()
                r = client.post("/solve", json=body)
                ms = 1000 * (time.perf_counter() - t0)
                r.raise_for_status()
                arms[(name, arm)].add(r.json(), evaluate(p.text), ms)
    return arms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("TOOLS_RESULTS.md"))
    args = parser.parse_args()
    sets = {
        "in range": arith.problems("test", args.problems, seed=2029),
        "leaving range": leaving_range(args.problems),
    }
    server = start_background_server(create_app(Settings(port=args.port, request_timeout_s=600)), args.port)
    rounds = []
    try:
        with server.client(timeout=600) as client:
            client.post("/solve", json={"problem": sets["in range"][0].text, "n": 4}).raise_for_status()  # warm-up
            for k in range(args.rounds):
                started = time.perf_counter()
                rounds.append(run_round(client, sets))
                print(f"round {k + 1}: {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        server.stop()
    write(args, rounds)


def write(args: argparse.Namespace, rounds: list[dict[tuple[str, str], Arm]]) -> None:
    lines = [
        "# The calculator inside the chains: accuracy, tokens and what a call costs",
        "",
        f"`.venv/bin/python bench/tools_eval.py --problems {args.problems} --rounds {args.rounds}` on "
        f"{platform.machine()}, 2 CPU cores, vLLM's CPU backend; the embedded default with the shipped models, "
        "nothing else running. Fixed N=16, one request at a time, the same seed per problem with the calculator "
        "on and off, interleaved, each first on every other problem.",
        "",
        "| problems | tools | accuracy | tokens / answer | tool calls / answer | p50 ms, each round |",
        "|---|---|---:|---:|---:|---|",
    ]
    first = rounds[0]
    for (name, arm), result in first.items():
        p50s = " / ".join(f"{statistics.median(r[(name, arm)].ms):.0f}" for r in rounds)
        lines.append(
            f"| {name} | {arm} | {100 * result.right / result.answers:.1f}% | {statistics.mean(result.tokens):.0f} | "
            f"{statistics.mean(result.calls):.1f} | {p50s} |"
        )
    lines += ["", "What a call costs (the p50 with the calculator over the p50 without, per call per chain):", ""]
    for name in {name for name, _ in first}:
        for k, r in enumerate(rounds, 1):
            on, off = r[(name, "calculator")], r[(name, "none")]
            ratio = statistics.median(on.ms) / statistics.median(off.ms)
            per_call = (statistics.median(on.ms) - statistics.median(off.ms)) / (statistics.mean(on.calls) / 16)
            lines.append(f"- {name}, round {k}: with / without {ratio:.2f}; {per_call:.1f} ms per call of one chain")
    lines.append("")
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
