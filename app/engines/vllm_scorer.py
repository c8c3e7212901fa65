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
from app.engines.vllm_common import (
    chat_prompt,
    check_engine,
    cpu_binding,
    engine_kwargs,
    load_tokenizer,
    prompt_ids,
)
from app.errors import BonError, EngineError, InvalidRequest
from app.formats.resolve import scorer_format
from app.formats.scorer_input import encode_chains, scorer_text
from app.formats.spec import ScorerFormat
from app.model_ref import ModelRef

SERVICE = "reward"


def scorer_engine_args(model: ModelRef, fmt: ScorerFormat, tag_id: int, engine: EngineSettings) -> AsyncEngineArgs:
    """vLLM engine arguments that make the pooling runner return true step-label probabilities."""
    kwargs: dict[str, Any] = engine_kwargs(model, engine, reward_model=True)
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
        self._request_numbers = itertools.count()

    @classmethod
    def start(
        cls, model: ModelRef, tokenizer: PreTrainedTokenizerBase, fmt: ScorerFormat, engine: EngineSettings
    ) -> VllmStepScorer:
        tag_id = tokenizer.get_vocab()[fmt.tag_token]
        with cpu_binding(engine, "reward"):
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

    def _chat(self, messages: Sequence[tuple[str, str]]) -> str:
        return chat_prompt(self._tokenizer, messages, answer=False)

    def _ids(self, text: str) -> list[int]:
        return prompt_ids(self._tokenizer, text, templated=self.format.input == "chat")

    async def room(self, problem: str) -> int:
        try:
            return self.max_model_len - len(self._ids(scorer_text(self.format, problem, [], self._chat)))
        except ValueError as exc:
            raise InvalidRequest(str(exc), "problem") from exc

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
                encoded = encode_chains(
                    self.format, problem, chains, self._chat, self._ids, self._tag_id, self.max_model_len
                )
            except ValueError as exc:  # the problem itself cannot be read
                errors[k] = InvalidRequest(str(exc), "problem")
                continue
            unread[k] = encoded.unread
            jobs += [(k, i, ids, n_steps) for i, ids, n_steps in encoded.jobs]
        scored = await asyncio.gather(
            *(self._score_one(ids, n, f"{request_id}-{k}-{i}-{next(self._request_numbers)}") for k, i, ids, n in jobs),
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
