"""What an engine's settings become as vLLM's engine arguments, on the CPU backend (here) and on
a GPU (the platform check answered as a GPU machine would)."""

from __future__ import annotations

import pytest
from vllm.platforms import current_platform

from app.config import EngineSettings
from app.engines.vllm_common import CPU_KV_CACHE_BYTES, engine_kwargs
from app.model_ref import ModelRef

pytestmark = pytest.mark.e2e  # imports vLLM

MODEL = ModelRef("Qwen/Qwen2.5-Math-PRM-7B", "main")


def test_on_the_cpu_the_kv_cache_is_explicit_and_the_engine_eager() -> None:
    kwargs = engine_kwargs(MODEL, EngineSettings())
    assert kwargs["kv_cache_memory_bytes"] == CPU_KV_CACHE_BYTES and "gpu_memory_utilization" not in kwargs
    assert kwargs["enforce_eager"] is True and (kwargs["model"], kwargs["revision"]) == (MODEL.name, "main")
    assert "max_model_len" not in kwargs  # the model's own context


def test_on_a_gpu_the_engine_takes_its_share_and_cuda_graphs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(type(current_platform), "is_cuda_alike", lambda self: True)
    engine = EngineSettings(
        gpu_memory_utilization=0.4,
        tensor_parallel_size=2,
        dtype="bfloat16",
        quantization="fp8",
        max_num_seqs=64,
        max_model_len=4096,
    )
    kwargs = engine_kwargs(MODEL, engine)
    assert kwargs["gpu_memory_utilization"] == 0.4 and "kv_cache_memory_bytes" not in kwargs
    assert kwargs["enforce_eager"] is False and kwargs["tensor_parallel_size"] == 2
    assert (kwargs["dtype"], kwargs["quantization"], kwargs["max_num_seqs"], kwargs["max_model_len"]) == (
        "bfloat16",
        "fp8",
        64,
        4096,
    )
    assert engine_kwargs(MODEL, EngineSettings(kv_cache_bytes=2**30))["kv_cache_memory_bytes"] == 2**30


def test_a_dead_engine_is_unavailable_not_failed() -> None:
    """An engine whose process died (or is shutting down) makes its service unavailable (503: retry
    once it is back), not a failure of the request (424)."""
    from vllm.v1.engine.exceptions import EngineDeadError

    from app.engines.vllm_common import engine_failure
    from app.errors import EngineUnavailable

    assert isinstance(engine_failure("reward", "scoring failed", EngineDeadError()), EngineUnavailable)
    assert not isinstance(engine_failure("reward", "scoring failed", ValueError("bad")), EngineUnavailable)
