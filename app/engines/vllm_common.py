"""What the in-process vLLM engines share: engine arguments, tokenizers and chat prompts."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from transformers import AutoTokenizer, PreTrainedTokenizerBase

from app.config import EngineSettings
from app.errors import EngineError, EngineUnavailable
from app.model_ref import ModelRef

CPU_KV_CACHE_BYTES = 256 * 2**20  # the CPU backend needs an explicit size; tiny models need little
# A reward model re-reads a growing chain and computes only what its cache misses, in whole
# blocks: the CPU backend's default of 128 tokens would re-read most chains whole. (It asks for
# multiples of 32.)
CPU_REWARD_BLOCK_SIZE = 32


def engine_kwargs(model: ModelRef, engine: EngineSettings, reward_model: bool = False) -> dict[str, Any]:
    """The engine's arguments: the context length is the model's own (its config.json) unless
    capped; memory is a share of the GPU where there is one, an explicit KV cache on the CPU."""
    from vllm.platforms import current_platform

    on_gpu = current_platform.is_cuda_alike()
    dtype = engine.dtype
    if dtype == "auto" and reward_model and not on_gpu:
        # vLLM's `auto` picks float16 for pooling models, which x86 CPUs multiply on a slow path
        # (64 chains scored in 770 ms against 118 ms in float32 here); float32 also keeps the
        # scores what the model card's own computation gives.
        dtype = "float32"
    kwargs: dict[str, Any] = {
        "model": model.name,
        "tokenizer": model.name,
        "revision": model.revision,
        "tokenizer_revision": model.revision,
        "dtype": dtype,
        "tensor_parallel_size": engine.tensor_parallel_size,
        "enforce_eager": (not on_gpu) if engine.enforce_eager is None else engine.enforce_eager,
        "seed": engine.seed,
        "disable_log_stats": True,
    }
    if engine.kv_cache_bytes is not None:
        kwargs["kv_cache_memory_bytes"] = engine.kv_cache_bytes
    elif not on_gpu:
        kwargs["kv_cache_memory_bytes"] = CPU_KV_CACHE_BYTES
    elif engine.gpu_memory_utilization is not None:
        kwargs["gpu_memory_utilization"] = engine.gpu_memory_utilization
    block_size = engine.block_size or (CPU_REWARD_BLOCK_SIZE if reward_model and not on_gpu else None)
    optional: dict[str, Any] = {
        "block_size": block_size,
        "quantization": engine.quantization,
        "max_num_seqs": engine.max_num_seqs,
        "max_model_len": engine.max_model_len,
    }
    kwargs |= {key: value for key, value in optional.items() if value is not None}
    return kwargs


_BINDING = threading.Lock()
CPU_BIND_VARIABLE = "VLLM_CPU_OMP_THREADS_BIND"  # read by vLLM's CPU engine processes as they start


def default_cpu_cores(role: Literal["generator", "reward"], cores: int | None = None) -> str | None:
    """The generator on the first half of the cores, the reward models on the second: vLLM's own
    default binds every engine to the same cores, where an idle engine's worker, which busy-waits
    a second after each step, stalls the others (a 16-chain generation took 1 s instead of 0.15 s
    right after a scoring call on 2 cores)."""
    n = cores or os.cpu_count() or 1
    if n < 2:
        return None
    half = n // 2
    first, last = (0, half - 1) if role == "generator" else (half, n - 1)
    return str(first) if first == last else f"{first}-{last}"


def bound_cores(role: Literal["generator", "reward"], configured: str | None = None) -> str | None:
    """The cores an engine of `role` runs on: the configured ones, else the default, unless the
    operator bound every engine with VLLM_CPU_OMP_THREADS_BIND (that binding stands)."""
    if configured:
        return configured
    return None if CPU_BIND_VARIABLE in os.environ else default_cpu_cores(role)


@contextmanager
def cpu_binding(engine: EngineSettings, role: Literal["generator", "reward"]) -> Iterator[None]:
    """While an engine starts (its processes inherit the environment): the CPU cores it runs on."""
    from vllm.platforms import current_platform

    cores = bound_cores(role, engine.cpu_cores)
    if current_platform.is_cuda_alike() or cores is None:
        yield
        return
    with _BINDING:
        before = os.environ.get(CPU_BIND_VARIABLE)
        os.environ[CPU_BIND_VARIABLE] = cores
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(CPU_BIND_VARIABLE, None)
            else:
                os.environ[CPU_BIND_VARIABLE] = before


def load_tokenizer(model: ModelRef) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(model.name, revision=model.revision)


def engine_failure(service: str, what: str, exc: Exception) -> EngineError:
    """The error for a failed engine call: unavailable when the engine process is gone (it died,
    or the service is shutting down; a client should retry once it is back), else a failure."""
    from vllm.v1.engine.exceptions import EngineDeadError  # vLLM only where an engine ran

    cls = EngineUnavailable if isinstance(exc, EngineDeadError) else EngineError
    return cls(service, f"{what}: {exc}")


async def check_engine(engine: Any, service: str) -> None:
    """Raise an `EngineError` naming `service` when the vLLM engine is not healthy."""
    try:
        await engine.check_health()
    except Exception as exc:
        raise EngineError(service, f"engine is not healthy: {exc}") from exc


def prompt_ids(tokenizer: PreTrainedTokenizerBase, text: str, templated: bool) -> list[int]:
    """A prompt's token ids. A chat template writes the special tokens itself (a Llama or R1
    template starts with BOS), so the tokenizer adds none to templated text: a second BOS would
    be a prompt the model never saw in training."""
    return list(tokenizer.encode(text, add_special_tokens=not templated))


def chat_prompt(tokenizer: PreTrainedTokenizerBase, messages: Sequence[tuple[str, str]], answer: bool = True) -> str:
    """The text the tokenizer's chat template makes of (role, content) messages; open for the
    assistant's answer, or (`answer=False`) closed after the last message, as a reward model reads it."""
    rendered = tokenizer.apply_chat_template(
        [{"role": role, "content": content} for role, content in messages],
        tokenize=False,
        add_generation_prompt=answer,
    )
    return str(rendered)
