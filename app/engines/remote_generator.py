"""The remote generator: any OpenAI-compatible completions server (`vllm serve`), over httpx.

One `POST /v1/completions` with `n=N` per problem, so the server shares the prompt's KV cache
across the N samples, exactly as the in-process engine does. The prompt goes as token ids made
by the generator's own tokenizer (read from the local model directory, which also holds the
descriptor), so both deployments feed the engine the same tokens and a fixed seed gives the
same chains.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import BaseModel, ValidationError

from app.descriptor import ModelDescriptor
from app.engines.http_common import make_client, probe, request_json
from app.engines.protocols import Generation, SampledChain, SamplingRequest
from app.engines.vllm_common import load_tokenizer
from app.errors import EngineError

SERVICE = "generator"


class _Choice(BaseModel):
    index: int
    text: str
    finish_reason: str | None = None
    token_ids: list[int] | None = None


class _Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int | None = None


class _Completion(BaseModel):
    choices: list[_Choice]
    usage: _Usage | None = None


class _ModelList(BaseModel):
    class _Model(BaseModel):
        id: str

    data: list[_Model]


class RemoteGenerator:
    def __init__(
        self,
        base_url: str,
        model_dir: Path,
        timeout_s: float,
        model_name: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.descriptor = ModelDescriptor.load(model_dir)
        self._tokenizer = load_tokenizer(model_dir)
        self._client = client or make_client(base_url, timeout_s)
        # The served model's name; asked of the server on first use when not configured.
        self._model_name = model_name

    @property
    def max_model_len(self) -> int:
        return self.descriptor.max_model_len

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text))

    async def _model(self) -> str:
        if self._model_name is None:
            listing = await request_json(self._client, SERVICE, "GET", "/v1/models")
            try:
                models = _ModelList.model_validate(listing).data
            except ValidationError as exc:
                raise EngineError(SERVICE, f"GET /v1/models answered an unexpected body: {exc}") from exc
            if not models:
                raise EngineError(SERVICE, "the server lists no model")
            self._model_name = models[0].id
        return self._model_name

    async def generate(self, request: SamplingRequest, request_id: str) -> Generation:
        prompt_ids = self._tokenizer.encode(request.prompt)
        body = {
            "model": await self._model(),
            "prompt": prompt_ids,
            "n": request.n,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
            "return_token_ids": True,  # exact per-chain token counts for usage
            "request_id": request_id,
        }
        raw = await request_json(self._client, SERVICE, "POST", "/v1/completions", body)
        try:
            completion = _Completion.model_validate(raw)
        except ValidationError as exc:
            raise EngineError(SERVICE, f"the completions answer is not an OpenAI completion: {exc}") from exc
        choices = sorted(completion.choices, key=lambda c: c.index)
        if [c.index for c in choices] != list(range(request.n)):
            raise EngineError(SERVICE, f"asked for {request.n} completions, got indices {[c.index for c in choices]}")
        chains = [
            SampledChain(
                text=c.text,
                tokens=len(c.token_ids) if c.token_ids is not None else self.count_tokens(c.text),
                finish_reason=c.finish_reason,
            )
            for c in choices
        ]
        prompt_tokens = completion.usage.prompt_tokens if completion.usage else len(prompt_ids)
        return Generation(prompt_tokens=prompt_tokens, chains=chains)

    async def check(self) -> None:
        # vLLM's /health is 200 (empty body) once the engine runs; /v1/models names the model.
        await probe(self._client, SERVICE, "/health")
        await self._model()

    async def close(self) -> None:
        await self._client.aclose()
