"""What the in-process vLLM engines share: engine arguments and token-id lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from transformers import AutoTokenizer, PreTrainedTokenizerBase

from app.errors import EngineError
from app.model_ref import ModelRef


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Resource settings for one in-process engine (read from Settings by the caller)."""

    kv_cache_bytes: int | None = 256 * 2**20  # explicit KV size: the CPU backend needs it
    gpu_memory_utilization: float | None = None  # used instead when kv_cache_bytes is None
    enforce_eager: bool = True  # compiling gives nothing on tiny models and costs start-up time
    seed: int = 0


class EngineResources(Protocol):
    """The resource settings the app's and the worker's settings both carry."""

    @property
    def kv_cache_bytes(self) -> int | None: ...
    @property
    def gpu_memory_utilization(self) -> float | None: ...
    @property
    def enforce_eager(self) -> bool: ...


def engine_options(resources: EngineResources) -> EngineOptions:
    """An explicit KV cache size unless a GPU memory fraction is given (the CPU backend needs one)."""
    return EngineOptions(
        kv_cache_bytes=resources.kv_cache_bytes if resources.gpu_memory_utilization is None else None,
        gpu_memory_utilization=resources.gpu_memory_utilization,
        enforce_eager=resources.enforce_eager,
    )


def engine_kwargs(model: ModelRef, options: EngineOptions) -> dict[str, Any]:
    """The engine's arguments; the context length is the model's own (its config.json)."""
    kwargs: dict[str, Any] = {
        "model": model.name,
        "tokenizer": model.name,
        "revision": model.revision,
        "tokenizer_revision": model.revision,
        "enforce_eager": options.enforce_eager,
        "seed": options.seed,
        "disable_log_stats": True,
    }
    if options.kv_cache_bytes is not None:
        kwargs["kv_cache_memory_bytes"] = options.kv_cache_bytes
    elif options.gpu_memory_utilization is not None:
        kwargs["gpu_memory_utilization"] = options.gpu_memory_utilization
    return kwargs


def load_tokenizer(model: ModelRef) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(model.name, revision=model.revision)


async def check_engine(engine: Any, service: str) -> None:
    """Raise an `EngineError` naming `service` when the vLLM engine is not healthy."""
    try:
        await engine.check_health()
    except Exception as exc:
        raise EngineError(service, f"engine is not healthy: {exc}") from exc


def chat_prompt(tokenizer: PreTrainedTokenizerBase, messages: Sequence[tuple[str, str]], answer: bool = True) -> str:
    """The text the tokenizer's chat template makes of (role, content) messages; open for the
    assistant's answer, or (`answer=False`) closed after the last message, as a reward model reads it."""
    rendered = tokenizer.apply_chat_template(
        [{"role": role, "content": content} for role, content in messages],
        tokenize=False,
        add_generation_prompt=answer,
    )
    return str(rendered)
