"""The in-process step scorer: a PRM (or ORM) on vLLM's pooling runner with STEP pooling.

Two heads (see docs/VLLM_NOTES.md for why the Math-Shepherd set-up looks like this):

- ``label_tokens`` (Math-Shepherd, the shipped models): a causal LM read as a token classifier over
  its two label tokens (``classifier_from_token=[good, bad]``), one ``[P(good), P(bad)]`` row per
  step tag. The plain ``pooling_type="STEP"`` + ``returned_token_ids`` set-up runs too, but returns
  normalised hidden-state dimensions instead of label probabilities.
- ``two_class``: vLLM's native ``Qwen2ForProcessRewardModel``, one ``[P(wrong), P(right)]`` row
  per ``<extra_0>`` tag.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Any

from transformers import PreTrainedTokenizerBase
from vllm import PoolingParams
from vllm.config import PoolerConfig
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.v1.engine.async_llm import AsyncLLM

from app.config import EngineSettings
from app.engines.protocols import StepScores
from app.engines.vllm_common import chat_prompt, check_engine, engine_kwargs, load_tokenizer
from app.errors import BonError, EngineError, InvalidRequest
from app.formats.resolve import scorer_format
from app.formats.scorer_input import scorer_text
from app.formats.spec import ScorerFormat
from app.model_ref import ModelRef

SERVICE = "reward"


def scorer_engine_args(model: ModelRef, fmt: ScorerFormat, tag_id: int, engine: EngineSettings) -> AsyncEngineArgs:
    """vLLM engine arguments that make the pooling runner return true step-label probabilities."""
    kwargs: dict[str, Any] = engine_kwargs(model, engine)
    if fmt.head == "label_tokens":
        kwargs |= {
            "runner": "pooling",
            "convert": "classify",
            # vLLM looks the label tokens up as vocabulary tokens (convert_tokens_to_ids), so they
            # are given as the vocabulary spells them (`▁+`, not `+`).
            "hf_overrides": {"classifier_from_token": [fmt.good_token, fmt.bad_token], "method": "no_post_processing"},
            "pooler_config": PoolerConfig(task="token_classify", pooling_type="STEP", step_tag_id=tag_id),
        }
    else:
        kwargs |= {"runner": "pooling", "pooler_config": PoolerConfig(step_tag_id=tag_id)}
    return AsyncEngineArgs(**kwargs)


class VllmStepScorer:
    def __init__(self, engine: AsyncLLM, tokenizer: PreTrainedTokenizerBase, fmt: ScorerFormat) -> None:
        self._engine = engine
        self._tokenizer = tokenizer
        self.format = fmt
        self._tag_id = tokenizer.get_vocab()[fmt.tag_token]
        # Which column of a row is P(step is right): the two heads order their labels oppositely.
        self._right_column = 0 if fmt.head == "label_tokens" else 1
        self._ids = itertools.count()

    @classmethod
    def start(
        cls, model: ModelRef, tokenizer: PreTrainedTokenizerBase, fmt: ScorerFormat, engine: EngineSettings
    ) -> VllmStepScorer:
        tag_id = tokenizer.get_vocab()[fmt.tag_token]
        return cls(AsyncLLM.from_engine_args(scorer_engine_args(model, fmt, tag_id, engine)), tokenizer, fmt)

    @classmethod
    def load(cls, model: ModelRef, format_setting: str | None, what: str, engine: EngineSettings) -> VllmStepScorer:
        """Start the reward model `model` in the format its setting (`what`) names, or its own."""
        tokenizer = load_tokenizer(model)
        fmt, _ = scorer_format(format_setting, what, model, tokenizer)
        return cls.start(model, tokenizer, fmt, engine)

    @property
    def max_model_len(self) -> int:
        return int(self._engine.model_config.max_model_len)

    def scorer_input(self, problem: str, steps: Sequence[str]) -> str:
        try:
            return scorer_text(self.format, problem, steps, lambda m: chat_prompt(self._tokenizer, m, answer=False))
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from exc

    async def room(self, problem: str) -> int:
        return self.max_model_len - len(self._tokenizer.encode(self.scorer_input(problem, [])))

    def _encode(self, text: str, n_steps: int) -> list[int]:
        ids: list[int] = self._tokenizer.encode(text)
        # The scores are read at every tag token: exactly one per step, or they belong to no step.
        tags = ids.count(self._tag_id)
        if tags != n_steps:
            raise InvalidRequest(f"the reward model's input has {tags} step tags for {n_steps} steps")
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
        unread: list[list[int]] = [[] for _ in items]
        jobs: list[tuple[int, int, list[int], int]] = []  # item, chain, token ids, steps
        for k, (problem, chains) in enumerate(items):
            try:
                encoded = [
                    (i, self._encode(self.scorer_input(problem, s), len(s)), len(s)) for i, s in enumerate(chains) if s
                ]
            except InvalidRequest as exc:
                errors[k] = exc
                continue
            for i, ids, n_steps in encoded:
                if len(ids) > self.max_model_len:  # too long to read whole: left out, not a failed request
                    unread[k].append(i)
                else:
                    jobs.append((k, i, ids, n_steps))
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
        return [errors.get(k) or StepScores(per_chain[k], tokens[k], tuple(unread[k])) for k in range(len(items))]

    async def check(self) -> None:
        await check_engine(self._engine, SERVICE)

    async def close(self) -> None:
        self._engine.shutdown()
