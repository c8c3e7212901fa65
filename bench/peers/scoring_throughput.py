"""Scoring micro-benchmark: process-reward-model step scores per second, our reward worker against
a Hugging Face transformers loop on the same weights.

- **ours**: `bon worker` (vLLM's pooling runner, the step-label probabilities read at the tags,
  prefix caching), called as the API calls it: `POST /score` with one problem's chains.
- **transformers**: what search-and-learn and its_hub's PRM classes do: the same input text, padded
  batches through `AutoModelForCausalLM`, the two label tokens' logits read at every step tag and
  soft-maxed (`good` against `bad`), the same numbers the worker returns.

Both get the same threads (`--threads`; the worker's engine is bound to that many cores), run one at
a time, on the same requests: `--problems` held-out problems, each with 16 or 64 chains (the
reference solution and one-slip variants, as a sampler's chains repeat and diverge). Chains/s is
chains scored over the wall time of the requests, sent one after another. The two systems' scores
are compared as they go: they must read the same probabilities (to float32 precision).

    .venv/bin/python bench/peers/scoring_throughput.py [--problems 40] [--threads 2]

Writes bench/peers/SCORING.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import torch
from tqdm import tqdm
from transformers import AutoModelForCausalLM, AutoTokenizer

from app.config import SHIPPED_MODELS
from app.formats.resolve import load_preset
from app.formats.scorer_input import encode_chains
from lab.task import arith

Workload = list[tuple[str, list[list[str]]]]
NS = (16, 64)


def workload(problems: int, n: int, seed: int) -> Workload:
    """`n` chains for each problem: the reference and one-slip variants, shuffled."""
    rng = random.Random(seed)
    out = []
    for problem in arith.problems("test", problems, seed=seed):
        chains = [problem.reference_steps() if rng.random() < 0.4 else arith.counterfactual_steps(problem, rng)[0]
                  for _ in range(n)]  # fmt: skip
        out.append((problem.text, chains))
    return out


class TransformersPRM:
    """A PRM read the way Hugging Face users write it: one padded batch a forward pass."""

    def __init__(self, path: Path, threads: int, batch: int) -> None:
        torch.set_num_threads(threads)
        fmt = load_preset("arith").scorer
        assert fmt is not None
        self.fmt = fmt
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
        self.tag_id, self.good, self.bad = (self._id(t) for t in (fmt.tag_token, fmt.good_token, fmt.bad_token))
        self.pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        self.max_len = int(self.model.config.max_position_embeddings)
        self.batch = batch

    def _id(self, token: str | None) -> int:
        found = self.tokenizer.convert_tokens_to_ids(token) if token is not None else None
        if not isinstance(found, int):
            raise ValueError(f"the PRM's format names a token its tokenizer does not have: {token!r}")
        return found

    def _no_chat(self, messages: Sequence[tuple[str, str]]) -> str:
        raise ValueError("the shipped PRM reads a plain prompt")

    @torch.inference_mode()
    def score(self, problem: str, chains: Sequence[Sequence[str]]) -> list[list[float]]:
        encode = lambda text: list(self.tokenizer.encode(text, add_special_tokens=True))  # noqa: E731
        jobs = encode_chains(self.fmt, problem, chains, self._no_chat, encode, self.tag_id, self.max_len).jobs
        scores: list[list[float]] = [[] for _ in chains]
        for start in range(0, len(jobs), self.batch):
            part = jobs[start : start + self.batch]
            width = max(len(ids) for _, ids, _ in part)
            ids = torch.full((len(part), width), self.pad, dtype=torch.long)
            mask = torch.zeros((len(part), width), dtype=torch.long)
            for row, (_, chain_ids, _) in enumerate(part):
                ids[row, : len(chain_ids)] = torch.tensor(chain_ids)
                mask[row, : len(chain_ids)] = 1
            logits = self.model(input_ids=ids, attention_mask=mask).logits
            labels = logits[:, :, [self.good, self.bad]].softmax(-1)[:, :, 0]
            for row, (i, chain_ids, _) in enumerate(part):
                at = [k for k, token in enumerate(chain_ids) if token == self.tag_id]
                scores[i] = labels[row, at].tolist()
        return scores


def start_worker(port: int, cores: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BON_WORKER_OUTCOME_MODEL": "none",
        "BON_WORKER_ENGINE__CPU_CORES": cores,
    }
    command = [sys.executable, "-m", "app.cli", "worker", "--model", str(SHIPPED_MODELS / "arith-prm"), "--port",
               str(port)]  # fmt: skip
    with log.open("wb") as out:
        worker = subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                return worker
        except httpx.TransportError:
            pass
        time.sleep(1)
    worker.kill()
    raise RuntimeError(f"the worker was not ready in 300 s; see {log}")


def run_worker(port: int, loads: dict[int, Workload]) -> tuple[dict[int, float], dict[int, list[list[list[float]]]]]:
    rates, scores = {}, {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
        warm = loads[NS[0]][0]
        client.post("/score", json={"problem": warm[0], "chains": warm[1][:2]}).raise_for_status()
        for n, load in loads.items():
            got = []
            started = time.perf_counter()
            for problem, chains in tqdm(load, desc=f"worker, {n} chains"):
                r = client.post("/score", json={"problem": problem, "chains": chains})
                r.raise_for_status()
                got.append(r.json()["scores"])
            rates[n] = sum(len(c) for _, c in load) / (time.perf_counter() - started)
            scores[n] = got
    return rates, scores


def run_transformers(prm: TransformersPRM, loads: dict[int, Workload]) -> tuple[dict[int, float], dict[int, list]]:
    rates, scores = {}, {}
    prm.score(*loads[NS[0]][0])  # warm-up
    for n, load in loads.items():
        got = []
        started = time.perf_counter()
        for problem, chains in tqdm(load, desc=f"transformers, {n} chains"):
            got.append(prm.score(problem, chains))
        rates[n] = sum(len(c) for _, c in load) / (time.perf_counter() - started)
        scores[n] = got
    return rates, scores


def largest_difference(a: list[list[list[float]]], b: list[list[list[float]]]) -> float:
    worst = 0.0
    for request_a, request_b in zip(a, b, strict=True):
        for chain_a, chain_b in zip(request_a, request_b, strict=True):
            assert len(chain_a) == len(chain_b), "the two read a different number of steps"
            worst = max([worst, *(abs(x - y) for x, y in zip(chain_a, chain_b, strict=True))])
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=40, help="requests per N (one problem each)")
    parser.add_argument("--threads", type=int, default=2, help="threads (cores) each system may use")
    parser.add_argument("--batch", type=int, default=64, help="the transformers loop's batch size")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("SCORING.md"))
    args = parser.parse_args()

    loads = {n: workload(args.problems, n, seed=500 + n) for n in NS}
    log = Path(tempfile.mkdtemp(prefix="bon-scoring-")) / "worker.log"
    worker = start_worker(args.port, f"0-{args.threads - 1}", log)
    try:
        ours, our_scores = run_worker(args.port, loads)
    finally:
        worker.terminate()
        worker.wait(60)
    prm = TransformersPRM(SHIPPED_MODELS / "arith-prm", args.threads, args.batch)
    theirs, their_scores = run_transformers(prm, loads)
    differences = {n: largest_difference(our_scores[n], their_scores[n]) for n in NS}

    rows = [
        f"| {n} | {ours[n]:.0f} | {theirs[n]:.0f} | {ours[n] / theirs[n]:.1f}× | {differences[n]:.1e} |" for n in NS
    ]
    steps = statistics.fmean(len(c) for _, chains in loads[NS[0]] for c in chains)
    lines = [
        "# Scoring throughput: our reward worker against a transformers loop",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, {os.cpu_count()} CPU cores, no "
        f"GPU; torch {torch.__version__}. The shipped PRM (`models/arith-prm`, a 6-layer Llama read at its step "
        f"tags), {args.threads} threads for each system, one system at a time.",
        f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`: {args.problems} held-out problems per N, "
        f"each one request of N chains ({steps:.1f} steps a chain on average), sent one after another.",
        "",
        "| chains a request | ours: `bon worker` (chains/s) | transformers loop (chains/s) | ours ÷ theirs | "
        "largest score difference |",
        "|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"The transformers loop pads batches of up to {args.batch} chains and reads the two label tokens' "
        "logits at each step tag (the search-and-learn way); ours is the worker the API calls, over HTTP "
        "(vLLM's pooling runner, prefix caching: the chains of one problem share its prompt, and a chain "
        "that repeats another's steps is read from the cache). The last column is the largest difference "
        "between the two systems' step probabilities over every step scored: both read the same numbers.",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(rows))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
