"""`bon eval`: best-of-N on held-out problems through the same vLLM engines the service uses.

Writes ``eval.json``, ``EVAL.md`` and ``eval.png`` (accuracy against N, log-2 axis, like figure 3
of "Let's Verify Step by Step").
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lab.evaluation import samples as sampling
from lab.evaluation.metrics import (
    ProblemSamples,
    best_of_n,
    first_error_f1,
    method_names,
    step_auc,
)
from lab.evaluation.report import write_markdown, write_plot
from lab.evaluation.samples import Case, SamplingConfig
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


def collect(cfg: EvalConfig) -> list[ProblemSamples]:
    how = SamplingConfig(
        cfg.generator_dir, cfg.prm_dir, cfg.orm_dir, cfg.max_n, cfg.temperature, cfg.max_tokens, cfg.seed
    )
    return sampling.collect(how, [Case.in_range(p) for p in arith.problems("test", cfg.n_problems)])


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
    sampling.save(samples, cfg.samples_path)
    report = summarize(cfg, samples, time.perf_counter() - start, command)
    (cfg.out_dir / "eval.json").write_text(json.dumps(report, indent=2) + "\n")
    write_markdown(report, cfg.out_dir / "EVAL.md")
    write_plot(report, cfg.out_dir / "eval.png")
    return report
