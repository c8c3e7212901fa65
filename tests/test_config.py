"""Settings: limits that can only be lowered, engine sizes per engine, and the defaults that follow the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import SHIPPED_MODELS, WIRE_MAX_PROBLEM_CHARS, WIRE_MAX_TEMPERATURE, Settings
from app.worker.config import WorkerSettings


@pytest.mark.parametrize(
    "changes",
    [
        {"max_temperature": WIRE_MAX_TEMPERATURE + 0.5},
        {"max_problem_chars": WIRE_MAX_PROBLEM_CHARS + 1},
        {"max_temperature": 0.5, "default_temperature": 1.0},
        {"max_n": 8},  # below the efforts' N (high samples 64)
    ],
)
def test_settings_beyond_the_limits_are_refused_at_start(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**changes)  # type: ignore[arg-type]


def test_limits_can_be_lowered() -> None:
    s = Settings(max_temperature=1.0, max_problem_chars=100)
    assert (s.max_temperature, s.max_problem_chars) == (1.0, 100)


def test_each_engine_is_sized_on_its_own_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BON_GENERATOR_ENGINE__GPU_MEMORY_UTILIZATION", "0.3")
    monkeypatch.setenv("BON_PRM_ENGINE__TENSOR_PARALLEL_SIZE", "2")
    monkeypatch.setenv("BON_PRM_ENGINE__DTYPE", "bfloat16")
    s = Settings()
    assert s.generator_engine.gpu_memory_utilization == 0.3 and s.prm_engine.tensor_parallel_size == 2
    assert s.prm_engine.dtype == "bfloat16" and s.orm_engine.gpu_memory_utilization == 0.10
    assert s.prm_engine.gpu_memory_utilization == 0.40  # its own share, though another field came from the env
    # By default the in-process engines, a separate summarizer included, fit one GPU together.
    monkeypatch.delenv("BON_GENERATOR_ENGINE__GPU_MEMORY_UTILIZATION")
    d = Settings()
    three = (d.generator_engine, d.prm_engine, d.orm_engine)
    assert sum(e.gpu_memory_utilization for e in three) == pytest.approx(0.90)
    assert sum(e.gpu_memory_utilization for e in (*three, d.summarizer_engine)) == pytest.approx(0.95)


def test_budgets_and_deadlines_the_settings_leave_unset_are_the_formats() -> None:
    from app.formats.resolve import load_preset
    from app.service.params import RequestPolicy
    from app.service.solve import ServiceLimits

    r1 = load_preset("r1").generator
    assert r1 is not None
    policy = RequestPolicy.of(Settings(), r1)
    assert policy.default_max_tokens == r1.max_tokens == 8192 and set(policy.effort_max_tokens.values()) == {8192}
    chosen = RequestPolicy.of(
        Settings(
            default_max_tokens=500, reasoning_effort_max_tokens=dict.fromkeys(("minimal", "low", "medium", "high"), 300)
        ),
        r1,
    )
    assert chosen.default_max_tokens == 500 and chosen.budget("high", None, "x").max_tokens == 300
    assert ServiceLimits.of(Settings(), r1, None).timeout_s == 900
    assert ServiceLimits.of(Settings(request_timeout_s=30), r1, None).timeout_s == 30


def test_the_outcome_model_by_default_goes_with_the_shipped_prm_only(tmp_path: Path) -> None:
    shipped = Settings().orm
    assert shipped is not None and Path(shipped.name) == SHIPPED_MODELS / "arith-orm"
    assert Settings(prm_model="Qwen/Qwen2.5-Math-PRM-7B").orm is None  # no arithmetic ORM beside another PRM
    # The shipped pair mounted elsewhere (compose: /models) is still the pair.
    for name in ("arith-prm", "arith-orm"):
        (tmp_path / name).mkdir()
    mounted = Settings(prm_model=str(tmp_path / "arith-prm")).orm
    assert mounted is not None and mounted.name == str(tmp_path / "arith-orm")
    assert Settings(prm_model="Qwen/Qwen2.5-Math-PRM-7B", orm_model="org/orm").orm is not None
    assert Settings(orm_model="none").orm is None and Settings(orm_model="").orm is None
    worker = WorkerSettings(model="org/prm")
    assert worker.orm is None and WorkerSettings().orm is not None


@pytest.mark.parametrize(
    ("cores", "generator", "reward"), [(1, None, None), (2, "0", "1"), (3, "0", "1-2"), (8, "0-3", "4-7")]
)
def test_the_generator_and_the_reward_models_get_their_own_cpu_cores(
    cores: int, generator: str | None, reward: str | None
) -> None:
    from app.engines.vllm_common import default_cpu_cores

    assert (default_cpu_cores("generator", cores), default_cpu_cores("reward", cores)) == (generator, reward)
