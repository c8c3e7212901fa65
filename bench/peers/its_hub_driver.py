"""its_hub's library algorithms on the shared servers, one problem at a time (runs in its_hub's venv).

    python its_hub_driver.py --alg best-of-n|particle-filtering --n N --generator URL --prm URL \
        --model NAME --temperature T --max-tokens M --problems problems.json --out answers.jsonl

Writes one JSON line per problem: the response text its_hub returns, the client's wall-clock and
the PRM calls made. Calls and tokens at the generator are counted by the runner from the
generator's own metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from its_hub import BestOfN, OpenAICompatibleLanguageModel, StepGeneration
from its_hub.core.algorithms.particle_gibbs import ParticleFiltering
from served_prm import ServedOutcomeRewardModel, ServedPRMClient, ServedProcessRewardModel


def algorithm(args: argparse.Namespace, prm: ServedPRMClient):
    if args.alg == "best-of-n":
        return BestOfN(ServedOutcomeRewardModel(prm))
    # A step is a line; a particle stops at its answer line. max_steps as the service's format allows.
    steps = StepGeneration(max_steps=16, step_token="\n", stop_token="A:", temperature=args.temperature)
    return ParticleFiltering(steps, ServedProcessRewardModel(prm))


async def main(args: argparse.Namespace) -> None:
    lm = OpenAICompatibleLanguageModel(
        endpoint=args.generator,
        api_key="EMPTY",
        model_name=args.model,
        max_completion_tokens=args.max_tokens,
        temperature=args.temperature,
    )
    prm = ServedPRMClient(args.prm)
    alg = algorithm(args, prm)
    with open(args.problems) as f:
        problems = json.load(f)
    with open(args.out, "w") as out:
        for i, problem in enumerate(problems):
            calls_before = prm.calls
            t0 = time.perf_counter()
            try:
                response = await alg.ainfer(lm, problem, budget=args.n)
                content, error = response.get("content") or "", None
            except Exception as exc:  # a failed problem is recorded, not fatal to the run
                content, error = "", f"{type(exc).__name__}: {exc}"
            wall_ms = 1000 * (time.perf_counter() - t0)
            line = {"index": i, "content": content, "wall_ms": wall_ms, "prm_calls": prm.calls - calls_before}
            out.write(json.dumps(line | ({"error": error} if error else {})) + "\n")
            out.flush()
            if (i + 1) % 20 == 0:
                print(f"{args.alg} N={args.n}: {i + 1}/{len(problems)}", file=sys.stderr, flush=True)
    await prm.close()
    await lm.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--alg", choices=["best-of-n", "particle-filtering"], required=True)
    for name in ("--generator", "--prm", "--model", "--problems", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--max-tokens", type=int, default=160)
    asyncio.run(main(parser.parse_args()))
