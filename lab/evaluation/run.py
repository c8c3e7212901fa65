"""`bon eval`: best-of-N on held-out problems through the same vLLM engines the service uses.

Writes ``eval.json``, ``EVAL.md`` and ``eval.png`` (accuracy against N, log-2 axis, like figure 3
of "Let's Verify Step by Step").
"""

from __future__ import annotations

import asyncio
import json
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.config import EngineSettings
from app.core.steps import extract_answer, split_steps
from app.engines.protocols import Generation, SamplingRequest
from app.engines.vllm_common import load_tokenizer
from app.engines.vllm_generator import VllmGenerator
from app.engines.vllm_scorer import VllmStepScorer
from app.model_ref import ModelRef
from lab.batch import generate_all, score_all
from lab.evaluation.metrics import (
    ProblemSamples,
    best_of_n,
    first_error_f1,
    method_names,
    step_auc,
)
from lab.evaluation.report import write_markdown, write_plot
from lab.task import arith


@dataclass(frozen=True, slots=True)
class EvalConfig:
    generator_dir: Path
    prm_dir: Path
    orm_dir: Path
    out_dir: Path
    n_problems: int = 500
    max_n: int = 64
    temperature: float = 1.0
    max_tokens: int = 160
    seed: int = 0
    # Every sample with its scores and labels (tens of MB: kept out of models/).
    samples_path: Path = Path("runs/eval_samples.jsonl")

    @property
    def ns(self) -> list[int]:
        return [2**k for k in range(self.max_n.bit_length()) if 2**k <= self.max_n]


async def _generate(cfg: EvalConfig, problems: list[arith.Problem]) -> tuple[list[Generation], list[Generation]]:
    model = ModelRef(str(cfg.generator_dir))
    gen = VllmGenerator.start(model, load_tokenizer(model), EngineSettings(seed=cfg.seed))
    try:
        prompts = [arith.prompt(p.text) for p in problems]
        greedy = await generate_all(
            gen, [SamplingRequest(pr, 1, 0.0, cfg.max_tokens) for pr in prompts], "greedy", tag="greedy"
        )
        sampled = await generate_all(
            gen,
            [
                SamplingRequest(pr, cfg.max_n, cfg.temperature, cfg.max_tokens, cfg.seed + i)
                for i, pr in enumerate(prompts)
            ],
            f"sampling n={cfg.max_n}",
            concurrency=8,
        )
        return greedy, sampled
    finally:
        await gen.close()


async def _score(
    model_dir: Path, problems: list[str], chains: list[list[list[str]]], desc: str
) -> list[list[list[float]]]:
    scorer = VllmStepScorer.load(ModelRef(str(model_dir)), None, "its bon_model.json", EngineSettings())
    try:
        scored = await score_all(scorer, problems, chains, desc, concurrency=4)
        return [s.per_chain for s in scored]
    finally:
        await scorer.close()


def collect(cfg: EvalConfig) -> list[ProblemSamples]:
    problems = arith.problems("test", cfg.n_problems)
    greedy, sampled = asyncio.run(_generate(cfg, problems))
    steps = [[split_steps(c.text, arith.STEP_SEPARATOR) for c in g.chains] for g in sampled]
    texts = [p.text for p in problems]
    prm = asyncio.run(_score(cfg.prm_dir, texts, steps, "PRM scoring"))
    orm = asyncio.run(_score(cfg.orm_dir, texts, steps, "ORM scoring"))
    out = []
    for i, p in enumerate(problems):
        checks = [arith.check_chain(p, s) for s in steps[i]]
        greedy_steps = split_steps(greedy[i].chains[0].text, arith.STEP_SEPARATOR)
        out.append(
            ProblemSamples(
                answer=str(p.answer),
                greedy_correct=arith.check_chain(p, greedy_steps).correct,
                answers=[extract_answer(s, arith.ANSWER_PREFIX) for s in steps[i]],
                correct=[c.correct for c in checks],
                step_scores=prm[i],
                outcome_scores=[sc[-1] if sc else 0.0 for sc in orm[i]],
                step_right=[[lab == arith.StepLabel.RIGHT for lab in c.labels] for c in checks],
                first_error=[c.first_error for c in checks],
            )
        )
    return out


def summarize(cfg: EvalConfig, samples: list[ProblemSamples], seconds: float, command: str) -> dict[str, Any]:
    return {
        "command": command,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, vLLM CPU backend",
        "seconds": round(seconds, 1),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()},
        "n_problems": len(samples),
        "pass_at_1_greedy": 100.0 * sum(s.greedy_correct for s in samples) / len(samples),
        "sample_accuracy": 100.0 * sum(sum(s.correct) for s in samples) / sum(len(s.correct) for s in samples),
        "methods": method_names(),
        "best_of_n": {str(n): best_of_n(samples, n) for n in cfg.ns},
        "step_level": {"prm_roc_auc": 100 * step_auc(samples), "first_error": first_error_f1(samples)},
    }


def run_eval(cfg: EvalConfig, command: str) -> dict[str, Any]:
    start = time.perf_counter()
    samples = collect(cfg)
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    cfg.samples_path.parent.mkdir(parents=True, exist_ok=True)
    with cfg.samples_path.open("w") as f:
        for s in samples:
            f.write(json.dumps(asdict(s)) + "\n")
    report = summarize(cfg, samples, time.perf_counter() - start, command)
    (cfg.out_dir / "eval.json").write_text(json.dumps(report, indent=2) + "\n")
    write_markdown(report, cfg.out_dir / "EVAL.md")
    write_plot(report, cfg.out_dir / "eval.png")
    return report
