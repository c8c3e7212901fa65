"""The in-process generator: vLLM's AsyncLLM. `generate` sends one request with n=N (the
summarizer's, the benchmarks'); `stream` and `sampler` send one request with n=1 per chain, so each
chain can be read as it decodes, and started or stopped on its own; all share the prompt's KV
cache through prefix caching."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from typing import Any

from transformers import PreTrainedTokenizerBase
from vllm import SamplingParams
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.exceptions import VLLMClientError
from vllm.sampling_params import RequestOutputKind
from vllm.v1.engine.async_llm import AsyncLLM

from app.config import EngineSettings
from app.engines.chain_sampler import TaskChainSampler, all_chains
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
from app.engines.vllm_common import check_engine, cpu_binding, engine_failure, engine_kwargs
from app.errors import BonError, EngineError, InvalidRequest
from app.model_ref import ModelRef
from app.tools.calls import Interjector


class VllmGenerator(GeneratorTokenizer):
    def __init__(self, engine: AsyncLLM, tokenizer: PreTrainedTokenizerBase) -> None:
        super().__init__(tokenizer)
        self._engine = engine

    @classmethod
    def start(cls, model: ModelRef, tokenizer: PreTrainedTokenizerBase, engine: EngineSettings) -> VllmGenerator:
        args = AsyncEngineArgs(
            **engine_kwargs(model, engine),
            enable_prefix_caching=True,  # the N samples share the prompt's KV blocks
            # vLLM 0.32 on the CPU crashes ("CPU Generator does not use offset") when a seeded
            # request's prefill is split into chunks; unchunked prefill keeps seeds usable.
            enable_chunked_prefill=False,
        )
        with cpu_binding(engine, "generator"):
            return cls(AsyncLLM.from_engine_args(args), tokenizer)

    async def context_length(self) -> int:
        return int(self._engine.model_config.max_model_len)

    def running_requests(self) -> int:
        """Requests the engine has not finished or aborted (vLLM's own count)."""
        return int(self._engine.output_processor.get_num_unfinished_requests())

    async def generate(self, request: SamplingRequest, request_id: str) -> Generation:
        ids = self.prompt_ids(request)
        params = _sampling_params(request, RequestOutputKind.FINAL_ONLY)
        final = None
        try:
            async for out in self._engine.generate({"prompt_token_ids": ids}, params, request_id):
                final = out
        except Exception as exc:  # the engine's own errors are many; name the failing service
            raise engine_failure(GENERATOR, "generation failed", exc) from exc
        if final is None or len(final.outputs) != request.n:
            raise EngineError(GENERATOR, "the engine returned no complete output")
        chains = [
            SampledChain(text=o.text, tokens=len(o.token_ids), finish_reason=o.finish_reason)
            for o in sorted(final.outputs, key=lambda o: o.index)
        ]
        return Generation(prompt_tokens=len(ids), chains=chains)

    async def next_steps(
        self, request: SamplingRequest, prefix: Sequence[int], step_end: str, request_id: str
    ) -> list[StepDraft]:
        ids = [*self.prompt_ids(request), *prefix]
        params = _sampling_params(request, RequestOutputKind.FINAL_ONLY, stop=[step_end])
        final = None
        try:
            async for out in self._engine.generate({"prompt_token_ids": ids}, params, request_id):
                final = out
        except Exception as exc:
            raise engine_failure(GENERATOR, "generation failed", exc) from exc
        if final is None or len(final.outputs) != request.n:
            raise EngineError(GENERATOR, "the engine returned no complete output")
        return [
            StepDraft(
                o.text,
                self.spelling(o.text, o.token_ids),
                len(o.token_ids),
                None if o.stop_reason == step_end else o.finish_reason,
            )
            for o in sorted(final.outputs, key=lambda o: o.index)
        ]

    def sampler(
        self,
        request: SamplingRequest,
        request_id: str,
        tools: Interjector | None = None,
        notes: Notes | None = None,
    ) -> TaskChainSampler:
        if tools is not None or notes is not None:
            return interjected_sampler(self, request, request_id, tools, self.spelling, notes)
        ids = self.prompt_ids(request)

        async def chain(i: int) -> AsyncIterator[ChainDelta]:
            params = _sampling_params(request.chain(i), RequestOutputKind.DELTA)
            try:
                async for out in self._engine.generate({"prompt_token_ids": ids}, params, f"{request_id}-{i}"):
                    o = out.outputs[0]
                    finish = (o.finish_reason or "stop") if out.finished else None
                    yield ChainDelta(i, o.text, len(o.token_ids), finish)
            except BonError:
                raise
            except Exception as exc:
                raise engine_failure(GENERATOR, "generation failed", exc) from exc

        return TaskChainSampler(chain, GENERATOR, request_id)

    async def segment(
        self, request: SamplingRequest, prefix: Sequence[int], stops: Sequence[str], request_id: str
    ) -> AsyncGenerator[SegmentDelta, None]:
        ids = [*self.prompt_ids(request), *prefix]
        params = _sampling_params(request, RequestOutputKind.DELTA, stop=list(stops))
        try:
            # Closed at once when the reader stops early (a note cuts the segment): vLLM aborts it.
            async with aclosing(self._engine.generate({"prompt_token_ids": ids}, params, request_id)) as outs:
                async for out in outs:
                    o = out.outputs[0]
                    finish = (o.finish_reason or "stop") if out.finished else None
                    stop = o.stop_reason if isinstance(o.stop_reason, str) else None
                    yield SegmentDelta(o.text, tuple(o.token_ids), finish, stop)
        except BonError:
            raise
        except Exception as exc:
            raise engine_failure(GENERATOR, "generation failed", exc) from exc

    def stream(self, request: SamplingRequest, request_id: str) -> AsyncGenerator[ChainDelta, None]:
        return all_chains(self.sampler(request, request_id), request.n)

    async def check(self) -> None:
        await check_engine(self._engine, GENERATOR)

    async def close(self) -> None:
        self._engine.shutdown()


def _sampling_params(
    request: SamplingRequest, kind: RequestOutputKind, stop: list[str] | None = None
) -> SamplingParams:
    """The request's sampling; with `stop`, decoding ends after any of them (kept in the text)."""
    ending: dict[str, Any] = {"stop": stop, "include_stop_str_in_output": True} if stop else {}
    try:
        return SamplingParams(**request.engine_fields(), **ending, output_kind=kind)
    except (ValueError, VLLMClientError) as exc:  # vLLM's own check of the sampling parameters
        raise InvalidRequest(f"{GENERATOR}: {exc}") from exc
