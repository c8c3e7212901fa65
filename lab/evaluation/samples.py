"""Sample many chains per problem through the service's vLLM engines and score every step: the
raw material that fixed-N evaluation, the adaptive search's replay and the confidence fit read.

Each problem's record keeps what the pipeline would know of every chain (steps, their PRM
scores, the tokens each step took, how the chain ended) and what only the checker knows
(whether the answer, and each step, is right). Records are JSON lines, so a long sampling run is
paid once and read by every later fit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from app.config import EngineSettings
from app.core.steps import extract_answer, split_steps
from app.engines.protocols import Generation, SamplingRequest
from app.engines.vllm_common import load_tokenizer
from app.model_ref import ModelRef
from lab.batch import generate_all, score_all
from lab.evaluation.metrics import ProblemSamples
from lab.task import arith
from lab.task.out_of_range import OutOfRangeProblem


@dataclass(frozen=True, slots=True)
class Case:
    """A problem to sample: the task's own (its checker labels steps) or one out of its range."""

    text: str
    answer: str
    kind: str  # "in_range", or the out-of-range kind
    problem: arith.Problem | None  # None: no step labels (only the final answer is checked)

    @classmethod
    def in_range(cls, problem: arith.Problem) -> Case:
        return cls(problem.text, str(problem.answer), "in_range", problem)

    @classmethod
    def out_of_range(cls, problem: OutOfRangeProblem) -> Case:
        in_notation = arith.parse_problem(problem.text)
        return cls(problem.text, str(problem.answer), problem.kind, in_notation)


@dataclass(frozen=True, slots=True)
class SamplingConfig:
    generator_dir: Path
    prm_dir: Path
    orm_dir: Path | None
    n: int = 64
    temperature: float = 1.0
    max_tokens: int = 160
    seed: int = 0
    greedy: bool = True


def step_tokens(steps: Sequence[str], total: int, count: Callable[[str], int]) -> list[int]:
    """Tokens each step took (its text and separator); what the count misses (the end-of-sequence
    token, an unfinished tail) goes to the last step, so the list sums to the chain's tokens."""
    if not steps:
        return []
    counts = [count(step + arith.STEP_SEPARATOR) for step in steps]
    counts[-1] += max(total - sum(counts), 0)
    return counts


async def _generate(cfg: SamplingConfig, cases: Sequence[Case]) -> tuple[list[Generation] | None, list[Generation]]:
    from app.engines.vllm_generator import VllmGenerator  # vLLM only where chains are sampled

    model = ModelRef(str(cfg.generator_dir))
    gen = VllmGenerator.start(model, load_tokenizer(model), EngineSettings(seed=cfg.seed))
    try:
        prompts = [arith.prompt(c.text) for c in cases]
        greedy = None
        if cfg.greedy:
            greedy = await generate_all(
                gen, [SamplingRequest(pr, 1, 0.0, cfg.max_tokens) for pr in prompts], "greedy", tag="greedy"
            )
        sampled = await generate_all(
            gen,
            [SamplingRequest(pr, cfg.n, cfg.temperature, cfg.max_tokens, cfg.seed + i) for i, pr in enumerate(prompts)],
            f"sampling n={cfg.n}",
            concurrency=8,
        )
        return greedy, sampled
    finally:
        await gen.close()


async def _score(
    model_dir: Path, problems: list[str], chains: list[list[list[str]]], desc: str
) -> list[list[list[float]]]:
    from app.engines.vllm_scorer import VllmStepScorer

    scorer = VllmStepScorer.load(ModelRef(str(model_dir)), None, "its bon_model.json", EngineSettings())
    try:
        scored = await score_all(scorer, problems, chains, desc, concurrency=4)
        return [s.per_chain for s in scored]
    finally:
        await scorer.close()


def collect(cfg: SamplingConfig, cases: Sequence[Case]) -> list[ProblemSamples]:
    """`cfg.n` chains per case, each step scored by the PRM (and the ORM, when given)."""
    greedy, sampled = asyncio.run(_generate(cfg, cases))
    tokenizer = load_tokenizer(ModelRef(str(cfg.generator_dir)))

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False))

    steps = [[split_steps(c.text, arith.STEP_SEPARATOR) for c in g.chains] for g in sampled]
    texts = [c.text for c in cases]
    prm = asyncio.run(_score(cfg.prm_dir, texts, steps, "PRM scoring"))
    orm = asyncio.run(_score(cfg.orm_dir, texts, steps, "ORM scoring")) if cfg.orm_dir else None
    out = []
    for i, case in enumerate(cases):
        answers = [extract_answer(s, arith.ANSWER_PREFIX) for s in steps[i]]
        checks = [arith.check_chain(case.problem, s) for s in steps[i]] if case.problem else None
        greedy_correct = False
        if greedy is not None:
            greedy_steps = split_steps(greedy[i].chains[0].text, arith.STEP_SEPARATOR)
            greedy_answer = extract_answer(greedy_steps, arith.ANSWER_PREFIX)
            greedy_correct = greedy_answer is not None and greedy_answer.strip() == case.answer
        out.append(
            ProblemSamples(
                answer=case.answer,
                greedy_correct=greedy_correct,
                answers=answers,
                correct=[a is not None and a.strip() == case.answer for a in answers],
                step_scores=prm[i],
                outcome_scores=[sc[-1] if sc else 0.0 for sc in orm[i]] if orm else [0.0] * len(answers),
                step_right=[[lab == arith.StepLabel.RIGHT for lab in c.labels] for c in checks] if checks else [],
                first_error=[c.first_error for c in checks] if checks else [],
                text=case.text,
                kind=case.kind,
                step_tokens=[step_tokens(s, c.tokens, count) for s, c in zip(steps[i], sampled[i].chains, strict=True)],
                finish_reasons=[c.finish_reason for c in sampled[i].chains],
                steps=steps[i],
            )
        )
    return out


def save(samples: Sequence[ProblemSamples], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for s in samples:
            f.write(json.dumps(asdict(s)) + "\n")


def load(path: Path) -> list[ProblemSamples]:
    with path.open() as f:
        return [ProblemSamples(**json.loads(line)) for line in f if line.strip()]
