"""The worker's settings, from the environment (prefix ``BON_WORKER_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.config import SHIPPED_MODELS


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BON_WORKER_", env_file=".env", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the worker listens on.")
    port: int = Field(default=8001, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    model: Path = Field(default=SHIPPED_MODELS / "arith-prm", description="The process reward model directory.")
    outcome_model: Path | None = Field(
        default=SHIPPED_MODELS / "arith-orm", description="An outcome reward model served beside it, or none."
    )
    kv_cache_bytes: int | None = Field(default=256 * 2**20, gt=0)
    gpu_memory_utilization: float | None = Field(default=None, gt=0, le=1)
    enforce_eager: bool = True
    max_batch_chains: int = Field(default=1024, ge=1, description="Most chains gathered into one engine call.")
