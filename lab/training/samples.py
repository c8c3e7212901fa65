"""The generator's own sampled chains on train problems, labelled step by step by the checker."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from app.config import EngineSettings
from app.core.steps import split_steps
from app.engines.protocols import SamplingRequest
from app.engines.vllm_common import load_tokenizer
from app.model_ref import ModelRef
from lab.batch import generate_all
from lab.task import arith


@dataclass(frozen=True, slots=True)
class LabelledChain:
    problem: str
    steps: list[str]
    step_right: list[bool]  # the PRM's labels: right, or wrong / after an earlier error
    correct: bool  # the ORM's label: the final answer is right


def label(problem: arith.Problem, chain: str) -> LabelledChain:
    steps = split_steps(chain, arith.STEP_SEPARATOR)
    check = arith.check_chain(problem, steps)
    return LabelledChain(problem.text, steps, [lab == arith.StepLabel.RIGHT for lab in check.labels], check.correct)


async def _sample(
    generator_dir: Path, problems: list[arith.Problem], n: int, temperature: float, seed: int
) -> list[list[str]]:
    # Imported here, not at the top: the PRM and ORM stages read saved chains and need only torch,
    # so they also run on a GPU machine that has no vLLM installed (`bon train --device cuda`).
    from app.engines.vllm_generator import VllmGenerator

    model = ModelRef(str(generator_dir))
    gen = VllmGenerator.start(model, load_tokenizer(model), EngineSettings())
    try:
        requests = [
            SamplingRequest(arith.prompt(p.text), n, temperature, 160, seed + i) for i, p in enumerate(problems)
        ]
        outs = await generate_all(gen, requests, desc="sampling chains")
        return [[c.text for c in g.chains] for g in outs]
    finally:
        await gen.close()


def sample_training_chains(
    generator_dir: Path, out_path: Path, n_problems: int, n: int, temperature: float, seed: int
) -> list[LabelledChain]:
    """Sample `n` chains for each of `n_problems` train problems, label them, save as JSONL."""
    problems = arith.problems("train", n_problems, seed=seed)
    texts = asyncio.run(_sample(generator_dir, problems, n, temperature, seed))
    chains = [label(p, t) for p, ts in zip(problems, texts, strict=True) for t in ts]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w") as f:
        for c in chains:
            f.write(json.dumps(asdict(c)) + "\n")
    return chains


def load_chains(path: Path) -> list[LabelledChain]:
    return [LabelledChain(**json.loads(line)) for line in path.read_text().splitlines() if line]
