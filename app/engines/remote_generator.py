"""The remote generator: any OpenAI-compatible completions server (`vllm serve`), over httpx.

One `POST /v1/completions` with `n=N` per problem (streamed, for the live pipeline), so the
server shares the prompt's KV cache across the N samples and seeds chain i with seed + i, as the
in-process engine does. Closing the stream aborts all N on the server. `sampler` streams one completion per chain
instead, so that chains can be started and stopped one at a time (adaptive search). The prompt goes as token ids made
by the generator's own tokenizer (loaded here from the same model reference), so both
deployments feed the engine the same tokens and a fixed seed gives the same chains.

The server may be several replicas (`ReplicaPool`): a request's calls all go to the one its id
picks (`pinned`), and carry that id as `X-Session-ID`, the header a router in front (vLLM
production-stack's `session` routing, vllm-router's `consistent_hash`) keeps the same affinity by.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from transformers import PreTrainedTokenizerBase

from app.engines.chain_sampler import TaskChainSampler
from app.engines.generator_tokenizer import GeneratorTokenizer
from app.engines.interjection import interjected_sampler
from app.engines.notes import Notes
from app.engines.protocols import (
    GENERATOR,
    ChainDelta,
    Generation,
    SampledChain,
    SamplingRequest,
    SegmentDelta,
    StepDraft,
)
from app.engines.replicas import OnReplicas, ReplicaPool
from app.errors import EngineError
from app.tools.calls import Interjector


class _Choice(BaseModel):
    index: int
    text: str
    finish_reason: str | None = None
    token_ids: list[int] | None = None
    stop_reason: int | str | None = None  # vLLM's: the stop string (or token) that ended it


class _Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int | None = None


class _Completion(BaseModel):
    choices: list[_Choice]
    usage: _Usage | None = None


class _ModelList(BaseModel):
    class _Model(BaseModel):
        id: str
        max_model_len: int | None = None  # vLLM's servers say; another server may not

    data: list[_Model]


SESSION_HEADER = "X-Session-ID"


@dataclass
class _Served:
    """What the servers serve, asked on first use and shared by every request's view."""

    model_name: str | None
    context: int | None = None
    # A server that does not say its context (vLLM's /v1/models does): the model's own config's.
    fallback_context: int | None = None


class RemoteGenerator(OnReplicas, GeneratorTokenizer):
    def __init__(
        self,
        pool: ReplicaPool,
        tokenizer: PreTrainedTokenizerBase,
        model_name: str | None = None,
        fallback_context: int | None = None,
    ) -> None:
        super().__init__(tokenizer)
        self._pool = pool
        self._served = _Served(model_name, fallback_context=fallback_context)

    def _affinity(self, request_id: str) -> tuple[str, dict[str, str]]:
        key = self._key or request_id
        return key, {SESSION_HEADER: key}

    async def _listing(self) -> _ModelList._Model:
        listing = await self._pool.request_json(self._key or "", "GET", "/v1/models")
        try:
            models = _ModelList.model_validate(listing).data
        except ValidationError as exc:
            raise EngineError(GENERATOR, f"GET /v1/models answered an unexpected body: {exc}") from exc
        served = [m for m in models if self._served.model_name in (None, m.id)]
        if not served:
            raise EngineError(GENERATOR, f"the server does not list {self._served.model_name or 'any model'}")
        return served[0]

    async def _model(self) -> str:
        if self._served.model_name is None:
            self._served.model_name = (await self._listing()).id
        return self._served.model_name

    async def context_length(self) -> int:
        if self._served.context is None:
            listed = await self._listing()
            context = listed.max_model_len or self._served.fallback_context
            if context is None:
                raise EngineError(GENERATOR, "neither GET /v1/models nor the model's config says its context length")
            self._served.model_name, self._served.context = listed.id, context
        return self._served.context

    async def generate(self, request: SamplingRequest, request_id: str) -> Generation:
        ids = self.prompt_ids(request)
        completion, choices = await self._complete(request, ids, request_id)
        chains = [
            SampledChain(
                text=c.text,
                tokens=len(c.token_ids) if c.token_ids is not None else self.count_tokens(c.text),
                finish_reason=c.finish_reason,
            )
            for c in choices
        ]
        prompt_tokens = completion.usage.prompt_tokens if completion.usage else len(ids)
        return Generation(prompt_tokens=prompt_tokens, chains=chains)

    async def next_steps(
        self, request: SamplingRequest, prefix: Sequence[int], step_end: str, request_id: str
    ) -> list[StepDraft]:
        ids = [*self.prompt_ids(request), *prefix]
        ending = {"stop": [step_end], "include_stop_str_in_output": True}
        _, choices = await self._complete(request, ids, request_id, ending)
        drafts = []
        for c in choices:
            ids = c.token_ids if c.token_ids is not None else self.token_ids(c.text)
            finish = None if c.stop_reason == step_end else c.finish_reason
            drafts.append(StepDraft(c.text, self.spelling(c.text, ids), len(ids), finish))
        return drafts

    async def _complete(
        self, request: SamplingRequest, ids: list[int], request_id: str, extra: dict[str, Any] | None = None
    ) -> tuple[_Completion, list[_Choice]]:
        """One completion with the request's n choices, checked, in index order."""
        body = await self._completion_body(request, ids, request_id) | (extra or {})
        key, headers = self._affinity(request_id)
        raw = await self._pool.request_json(key, "POST", "/v1/completions", body, headers)
        try:
            completion = _Completion.model_validate(raw)
        except ValidationError as exc:
            raise EngineError(GENERATOR, f"the completions answer is not an OpenAI completion: {exc}") from exc
        choices = sorted(completion.choices, key=lambda c: c.index)
        if [c.index for c in choices] != list(range(request.n)):
            raise EngineError(GENERATOR, f"asked for {request.n} completions, got indices {[c.index for c in choices]}")
        return completion, choices

    async def _completion_body(self, request: SamplingRequest, ids: list[int], request_id: str) -> dict[str, Any]:
        return {
            "model": await self._model(),
            "prompt": ids,
            **request.engine_fields(),
            "return_token_ids": True,  # exact token counts, per chain or per streamed delta
            "request_id": request_id,
        }

    async def stream(self, request: SamplingRequest, request_id: str) -> AsyncGenerator[ChainDelta, None]:
        ids = self.prompt_ids(request)
        body = await self._completion_body(request, ids, request_id) | {"stream": True}
        key, headers = self._affinity(request_id)
        async for event in self._pool.stream_events(key, "/v1/completions", body, headers):
            for c in self._choices(event, request.n):
                yield ChainDelta(c.index, c.text, self._tokens(c), c.finish_reason)

    def _choices(self, event: object, n: int) -> list[_Choice]:
        """The choices of one streamed chunk, checked: indices below the `n` asked for."""
        try:
            chunk = _Completion.model_validate(event)
        except ValidationError as exc:
            raise EngineError(GENERATOR, f"the completions stream sent an unexpected chunk: {exc}") from exc
        for c in chunk.choices:
            if not 0 <= c.index < n:
                raise EngineError(GENERATOR, f"asked for {n} completions, got index {c.index}")
        return chunk.choices

    def _tokens(self, choice: _Choice) -> int:
        return len(choice.token_ids) if choice.token_ids is not None else len(self.token_ids(choice.text))

    def sampler(
        self,
        request: SamplingRequest,
        request_id: str,
        tools: Interjector | None = None,
        notes: Notes | None = None,
    ) -> TaskChainSampler:
        """One streamed completion with n=1 per chain (seed + i), so that a chain can be stopped
        alone: closing its stream makes the server abort it."""
        if tools is not None or notes is not None:
            return interjected_sampler(self, request, request_id, tools, self.spelling, notes)
        ids = self.prompt_ids(request)
        key, headers = self._affinity(request_id)

        async def chain(i: int) -> AsyncIterator[ChainDelta]:
            body = await self._completion_body(request.chain(i), ids, f"{request_id}-{i}") | {"stream": True}
            async for event in self._pool.stream_events(key, "/v1/completions", body, headers):
                for c in self._choices(event, 1):
                    yield ChainDelta(i, c.text, self._tokens(c), c.finish_reason)

        return TaskChainSampler(chain, GENERATOR, request_id)

    async def segment(
        self, request: SamplingRequest, prefix: Sequence[int], stops: Sequence[str], request_id: str
    ) -> AsyncGenerator[SegmentDelta, None]:
        ids = [*self.prompt_ids(request), *prefix]
        body = await self._completion_body(request, ids, request_id) | {
            "stream": True,
            "stop": list(stops),
            "include_stop_str_in_output": True,
        }
        key, headers = self._affinity(request_id)
        # Closed at once when the reader stops early (a note cuts the segment): the server aborts it.
        async with aclosing(self._pool.stream_events(key, "/v1/completions", body, headers)) as events:
            async for event in events:
                for c in self._choices(event, 1):
                    token_ids = tuple(c.token_ids) if c.token_ids is not None else tuple(self.token_ids(c.text))
                    stop = c.stop_reason if isinstance(c.stop_reason, str) else None
                    yield SegmentDelta(c.text, token_ids, c.finish_reason, stop)

    async def check(self) -> None:
        # vLLM's /health is 200 (empty body) once the engine runs, on every replica; /v1/models
        # names the model and its context, asked again each time: a restarted server may have another.
        await self._pool.check("/health")
        self._served.context = None
        await self.context_length()
