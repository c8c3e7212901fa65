"""The worker's settings, from the environment (prefix ``BON_WORKER_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.config import (
    AUTO,
    SHIPPED_MODELS,
    WORKER_GPU_SHARES,
    EngineSettings,
    SandboxSettings,
    optional_model,
    shipped_orm_beside,
)
from app.model_ref import ModelRef


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BON_WORKER_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    host: str = Field(default="127.0.0.1", description="Address the worker listens on.")
    port: int = Field(default=8001, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    model: str = Field(default=str(SHIPPED_MODELS / "arith-prm"), description="The PRM: a directory or a hub id.")
    revision: str | None = Field(default=None, description="The PRM's revision on the hub.")
    format: str | None = Field(
        default=None, description="A preset or format file; else the model's bon_model.json, else detected."
    )
    outcome_model: str | None = Field(
        default=AUTO,
        description="An outcome reward model served beside it; `none` or empty for none; `auto`: the shipped ORM "
        "beside the shipped PRM, none beside any other.",
    )
    outcome_revision: str | None = Field(default=None, description="The ORM's revision on the hub.")
    outcome_format: str | None = Field(default=None, description="As format, for the ORM.")
    engine: EngineSettings = Field(default_factory=EngineSettings, description="The PRM's engine.")
    outcome_engine: EngineSettings = Field(default_factory=EngineSettings, description="The ORM's engine.")
    max_batch_chains: int = Field(default=1024, ge=1, description="Most chains gathered into one engine call.")
    check_workers: int = Field(default=1, ge=1, description="Processes that run the heavy step checkers (`/check`).")
    check_timeout_s: float = Field(
        default=2.0, gt=0, description="A heavy step check running longer is killed, and its step is `none`."
    )

    tools_allow_exec: bool = Field(
        default=False,
        description="Run the python tool's code for the API (`POST /tool`) in a bubblewrap sandbox (`sandbox`).",
    )
    sandbox: SandboxSettings = Field(default_factory=lambda: SandboxSettings(), description="The python tool's limits.")

    @field_validator("outcome_model", "revision", "outcome_revision", "format", "outcome_format", mode="before")
    @classmethod
    def _unset_when_none_or_empty(cls, value: object) -> object:
        return optional_model(value)

    @model_validator(mode="after")
    def _gpu_shares(self) -> WorkerSettings:
        self.engine = self.engine.with_gpu_share(WORKER_GPU_SHARES["prm"])  # the two share the worker's GPU
        self.outcome_engine = self.outcome_engine.with_gpu_share(WORKER_GPU_SHARES["orm"])
        return self

    @property
    def prm(self) -> ModelRef:
        return ModelRef(self.model, self.revision)

    @property
    def orm(self) -> ModelRef | None:
        name = shipped_orm_beside(self.model) if self.outcome_model == AUTO else self.outcome_model
        return ModelRef(name, self.outcome_revision) if name else None
