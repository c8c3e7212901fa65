"""The in-process step scorer: a PRM (or ORM) on vLLM's pooling runner with STEP pooling.

Two formats (see docs/VLLM_NOTES.md for why the Math-Shepherd set-up looks like this):

- ``math_shepherd``: a causal LM read as a token classifier over its two label tokens
  (``classifier_from_token=[good, bad]``), one ``[P(good), P(bad)]`` row per step tag. The plain
  ``pooling_type="STEP"`` + ``returned_token_ids`` set-up runs too, but returns normalised
  hidden-state dimensions instead of label probabilities.
- ``qwen2_prm``: vLLM's native ``Qwen2ForProcessRewardModel``, one ``[P(wrong), P(right)]`` row
  per ``<extra_0>`` tag.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vllm import PoolingParams
from vllm.config import PoolerConfig
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.v1.engine.async_llm import AsyncLLM

from app.core.steps import format_scorer_input, without_step_tag
from app.descriptor import ModelDescriptor
from app.engines.protocols import StepScores
from app.engines.vllm_common import EngineOptions, check_engine, engine_kwargs, load_tokenizer, single_token_id
from app.errors import BonError, ConfigurationError, EngineError, InvalidRequest

SERVICE = "reward"


def scorer_engine_args(model_dir: Path, descriptor: ModelDescriptor, options: EngineOptions) -> AsyncEngineArgs:
    """vLLM engine arguments that make the pooling runner return true step-label probabilities."""
    if descriptor.step_tag is None or descriptor.scorer_format is None:
        raise ConfigurationError(f"{model_dir} is not a reward model (no step tag or scorer format)")
    tokenizer = load_tokenizer(model_dir)
    tag_id = single_token_id(tokenizer, descriptor.step_tag, "step tag")
    kwargs: dict[str, Any] = engine_kwargs(model_dir, descriptor.max_model_len, options)
    if descriptor.scorer_format == "math_shepherd":
        if descriptor.good_token is None or descriptor.bad_token is None:
            raise ConfigurationError(f"{model_dir}: a Math-Shepherd PRM needs good and bad label tokens")
        labels = [descriptor.good_token, descriptor.bad_token]
        for label in labels:
            single_token_id(tokenizer, label, "label token")
        kwargs |= {
            "runner": "pooling",
            "convert": "classify",
            "hf_overrides": {"classifier_from_token": labels, "method": "no_post_processing"},
            "pooler_config": PoolerConfig(task="token_classify", pooling_type="STEP", step_tag_id=tag_id),
        }
    else:
        kwargs |= {"runner": "pooling", "pooler_config": PoolerConfig(step_tag_id=tag_id)}
    return AsyncEngineArgs(**kwargs)


class VllmStepScorer:
    def __init__(self, engine: AsyncLLM, model_dir: Path, descriptor: ModelDescriptor) -> None:
        self._engine = engine
        self._tokenizer = load_tokenizer(model_dir)
        self.descriptor = descriptor
        # Which column of a row is P(step is right): the two formats order their labels oppositely.
        self._right_column = 0 if descriptor.scorer_format == "math_shepherd" else 1
        self._ids = itertools.count()

    @classmethod
    def start(cls, model_dir: Path, options: EngineOptions) -> VllmStepScorer:
        descriptor = ModelDescriptor.load(model_dir)
        engine = AsyncLLM.from_engine_args(scorer_engine_args(model_dir, descriptor, options))
        return cls(engine, model_dir, descriptor)

    def scorer_input(self, problem: str, steps: Sequence[str]) -> str:
        assert self.descriptor.step_tag is not None
        prompt = self.descriptor.prompt_template.format(problem=problem)
        try:
            tag = self.descriptor.step_tag
            return format_scorer_input(prompt, without_step_tag(list(steps), tag), tag, self.descriptor.step_separator)
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from exc

    def _encode(self, text: str) -> list[int]:
        ids: list[int] = self._tokenizer.encode(text)
        if len(ids) > self.descriptor.max_model_len:
            raise InvalidRequest(
                f"a chain to score has {len(ids)} tokens; the reward model reads at most "
                f"{self.descriptor.max_model_len}"
            )
        return ids

    async def _score_one(self, ids: list[int], n_steps: int, request_id: str) -> list[float]:
        final = None
        try:
            async for out in self._engine.encode(
                {"prompt_token_ids": ids}, PoolingParams(task="token_classify"), request_id
            ):
                final = out
        except Exception as exc:
            raise EngineError(SERVICE, f"scoring failed: {exc}") from exc
        if final is None:
            raise EngineError(SERVICE, "the engine returned no scores")
        rows = final.outputs.data.tolist()
        if len(rows) != n_steps:
            raise EngineError(SERVICE, f"expected {n_steps} step scores, got {len(rows)}")
        # Clamp: a float32 softmax can land a hair outside [0, 1], which the core rejects.
        return [min(1.0, max(0.0, float(row[self._right_column]))) for row in rows]

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores:
        """Score every step of every chain of one problem (the problem text, not its prompt)."""
        result = (await self.score_many([(problem, chains)], request_id))[0]
        if isinstance(result, BonError):
            raise result
        return result

    async def score_many(
        self, items: Sequence[tuple[str, Sequence[Sequence[str]]]], request_id: str
    ) -> list[StepScores | BonError]:
        """Score the chains of several problems in one go: every chain is submitted at once, so
        vLLM's scheduler runs them in the same forward passes (the reward worker's batches).
        An item whose input is invalid gets its own error; the others are still scored."""
        errors: dict[int, BonError] = {}
        per_chain: list[list[list[float]]] = [[[] for _ in chains] for _, chains in items]
        tokens = [0] * len(items)
        jobs: list[tuple[int, int, list[int], int]] = []  # item, chain, token ids, steps
        for k, (problem, chains) in enumerate(items):
            try:
                jobs += [
                    (k, i, self._encode(self.scorer_input(problem, steps)), len(steps))
                    for i, steps in enumerate(chains)
                    if steps
                ]
            except InvalidRequest as exc:
                errors[k] = exc
        scored = await asyncio.gather(
            *(self._score_one(ids, n, f"{request_id}-{k}-{i}-{next(self._ids)}") for k, i, ids, n in jobs),
            return_exceptions=True,
        )
        for (k, i, ids, _), outcome in zip(jobs, scored, strict=True):
            if isinstance(outcome, BaseException):
                errors.setdefault(k, outcome if isinstance(outcome, BonError) else EngineError(SERVICE, str(outcome)))
            else:
                per_chain[k][i] = outcome
                tokens[k] += len(ids)
        return [errors.get(k) or StepScores(per_chain[k], tokens[k]) for k in range(len(items))]

    async def check(self) -> None:
        await check_engine(self._engine, SERVICE)

    async def close(self) -> None:
        self._engine.shutdown()
