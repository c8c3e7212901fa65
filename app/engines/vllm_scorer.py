"""The in-process step scorer: a PRM (or ORM) on vLLM's pooling runner, read at its step tags.

Two heads (see docs/VLLM_NOTES.md for why the Math-Shepherd set-up looks like this):

- ``label_tokens`` (Math-Shepherd, the shipped models): a causal LM read as a token classifier over
  its two label tokens (``classifier_from_token=[good, bad]``), one ``[P(good), P(bad)]`` row per
  step tag. The plain ``pooling_type="STEP"`` + ``returned_token_ids`` set-up runs too, but returns
  normalised hidden-state dimensions instead of label probabilities.
- ``two_class``: vLLM's native ``Qwen2ForProcessRewardModel``, one ``[P(wrong), P(right)]`` row
  per ``<extra_0>`` tag.

The engine returns a row for every token it computes (ALL pooling) and the scorer picks the tags'
rows itself, rather than letting vLLM pick them (STEP pooling): vLLM turns prefix caching off for
STEP pooling, since a cached token has no row to pick. With ALL pooling and prefix caching on, a
chain read again after it grew (the live pipeline reads settled steps while it decodes) costs only
its new tokens; the earlier tags' scores come from `TagScoreMemo`.
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
from app.engines.protocols import REWARD_MODEL, StepScores
from app.engines.tag_scores import TagScoreMemo, rows_for_tags, tags_of
from app.engines.vllm_common import (
    chat_prompt,
    check_engine,
    cpu_binding,
    engine_failure,
    engine_kwargs,
    load_tokenizer,
    prompt_ids,
)
from app.errors import BonError, EngineError, InvalidRequest
from app.formats.resolve import scorer_format
from app.formats.scorer_input import encode_chains, scorer_text
from app.formats.spec import ScorerFormat
from app.model_ref import ModelRef

# Tags remembered: a request's chains are read again within seconds, while they grow; 64 chains of
# 30 steps are 2k tags, so this holds the live state of dozens of requests.
MEMO_CAPACITY = 2**16


def scorer_engine_args(model: ModelRef, fmt: ScorerFormat, engine: EngineSettings) -> AsyncEngineArgs:
    """vLLM engine arguments that make the pooling runner return true step-label probabilities,
    one row per computed token, with prefix caching on."""
    kwargs: dict[str, Any] = engine_kwargs(model, engine, reward_model=True)
    if fmt.head == "label_tokens":
        kwargs |= {
            "runner": "pooling",
            "convert": "classify",
            # vLLM looks the label tokens up as vocabulary tokens (convert_tokens_to_ids), so they
            # are given as the vocabulary spells them (`▁+`, not `+`).
            "hf_overrides": {"classifier_from_token": [fmt.good_token, fmt.bad_token], "method": "no_post_processing"},
        }
    else:
        kwargs |= {"runner": "pooling"}
    kwargs |= {
        "pooler_config": PoolerConfig(task="token_classify", pooling_type="ALL"),
        "enable_prefix_caching": True,
    }
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
        self._memo = TagScoreMemo(MEMO_CAPACITY)

    @classmethod
    def start(
        cls, model: ModelRef, tokenizer: PreTrainedTokenizerBase, fmt: ScorerFormat, engine: EngineSettings
    ) -> VllmStepScorer:
        with cpu_binding(engine, "reward"):
            return cls(AsyncLLM.from_engine_args(scorer_engine_args(model, fmt, engine)), tokenizer, fmt)

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

    async def readable_tokens(self, problem: str) -> int:
        try:
            return self.max_model_len - len(self._ids(scorer_text(self.format, problem, [], self._chat)))
        except ValueError as exc:
            raise InvalidRequest(str(exc), "problem") from exc

    async def _rows(self, ids: list[int], request_id: str, from_cache: bool) -> list[list[float]]:
        """The engine's rows for the tokens it computed: all of them, or (`from_cache`) those past
        the prefix it already holds."""
        final = None
        params = PoolingParams(task="token_classify", skip_reading_prefix_cache=not from_cache)
        try:
            async for out in self._engine.encode({"prompt_token_ids": ids}, params, request_id):
                final = out
        except Exception as exc:
            raise engine_failure(REWARD_MODEL, "scoring failed", exc) from exc
        if final is None:
            raise EngineError(REWARD_MODEL, "the engine returned no scores")
        rows: list[list[float]] = final.outputs.data.tolist()
        if not 0 < len(rows) <= len(ids):
            raise EngineError(REWARD_MODEL, f"expected at most {len(ids)} token rows, got {len(rows)}")
        return rows

    def _right(self, row: list[float]) -> float:
        # Clamp: a float32 softmax can land a hair outside [0, 1], which the core rejects.
        return min(1.0, max(0.0, float(row[self._right_column])))

    async def _score_one(self, ids: list[int], request_id: str) -> tuple[list[float], int]:
        """The chain's step scores and how many tokens the engine computed for them (none when
        every tag was read before)."""
        tags = tags_of(ids, self._tag_id)
        scores = [self._memo.get(tag.key) for tag in tags]
        computed = 0
        for from_cache in (True, False):  # a prefix the engine holds but the memo forgot: read it all
            if all(score is not None for score in scores):
                break
            rows = await self._rows(ids, f"{request_id}-{int(from_cache)}", from_cache)
            computed += len(rows)
            for i, row in rows_for_tags(tags, len(ids), len(rows)).items():
                score = scores[i] = self._right(rows[row])
                self._memo.put(tags[i].key, score)
        read = [score for score in scores if score is not None]
        if len(read) != len(tags):
            raise EngineError(REWARD_MODEL, f"expected {len(tags)} step scores, got {len(read)}")
        return read, computed

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
        cached = [0] * len(items)
        unread: list[list[int]] = [[] for _ in items]
        jobs: list[tuple[int, int, list[int]]] = []  # item, chain, token ids
        for k, (problem, chains) in enumerate(items):
            try:
                encoded = encode_chains(
                    self.format, problem, chains, self._chat, self._ids, self._tag_id, self.max_model_len
                )
            except ValueError as exc:  # the problem itself cannot be read
                errors[k] = InvalidRequest(str(exc), "problem")
                continue
            unread[k] = encoded.unread
            jobs += [(k, i, ids) for i, ids, _ in encoded.jobs]
        scored = await asyncio.gather(
            *(self._score_one(ids, f"{request_id}-{k}-{i}-{next(self._request_numbers)}") for k, i, ids in jobs),
            return_exceptions=True,
        )
        for (k, i, ids), outcome in zip(jobs, scored, strict=True):
            if isinstance(outcome, BaseException):
                errors.setdefault(
                    k, outcome if isinstance(outcome, BonError) else EngineError(REWARD_MODEL, str(outcome))
                )
            else:
                per_chain[k][i], computed = outcome
                tokens[k] += len(ids)
                cached[k] += max(0, len(ids) - computed)
        return [
            errors.get(k) or StepScores(per_chain[k], tokens[k], tuple(unread[k]), cached[k]) for k in range(len(items))
        ]

    async def check(self) -> None:
        await check_engine(self._engine, REWARD_MODEL)

    async def close(self) -> None:
        self._engine.shutdown()
