"""All settings of the service, from the environment (prefix ``BON_``) or a ``.env`` file.

One `Settings` object is built at start-up and injected; nothing below the API layer reads the
environment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.adaptive import PruneRule, SearchRules, StopRule, Strategy
from app.core.aggregate import Aggregation
from app.core.particles import STEP_STRATEGIES, StepRules
from app.core.schedule import StepScoring
from app.core.select import Selection
from app.errors import ConfigurationError
from app.model_ref import ModelRef
from app.tools.sandbox import Sandbox, SandboxLimits

SHIPPED_MODELS = Path(__file__).resolve().parent.parent / "models"

Effort = Literal["minimal", "low", "medium", "high"]
SummaryStyle = Literal["auto", "concise", "detailed"]  # how long a summary of the reasoning is


AUTO = "auto"
# How much of one GPU each in-process engine takes unless its settings say: together at most 0.95.
GPU_SHARES = {"generator": 0.40, "prm": 0.40, "orm": 0.10, "summarizer": 0.05}
WORKER_GPU_SHARES = {"prm": 0.6, "orm": 0.3}  # the worker's own GPU


def shipped_orm_beside(prm_model: str) -> str | None:
    """`auto`'s outcome model: the shipped ORM goes with the shipped PRM only (an arithmetic ORM
    would mislead `orm_max` on any other model's chains). The shipped pair is found as a pair of
    directories, so it is recognised where the models are mounted elsewhere (compose: /models)."""
    prm = Path(prm_model)
    orm = prm.parent / "arith-orm"
    return str(orm) if prm.name == "arith-prm" and prm.is_dir() and orm.is_dir() else None


def optional_model(value: object) -> object:
    """`none` or an empty value unsets an optional setting, a model or a revision (an environment
    variable cannot be null, and compose passes empty values for unset ones)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    return value


# What the API's wire models accept at most; the settings can lower these limits, not raise them.
WIRE_MAX_PROBLEM_CHARS = 4000
WIRE_MAX_TEMPERATURE = 2.0


class SandboxSettings(BaseModel):
    """The python tool's sandbox: its interpreter, how many run at once, and each program's limits."""

    python: str = Field(default="/usr/bin/python3", description="The interpreter the sandbox runs code with.")
    concurrency: int = Field(default=2, ge=1, description="Sandboxed programs running at once; others wait.")
    timeout_s: float = Field(default=10.0, gt=0, description="A program's wall-clock limit; then it is killed.")
    cpu_s: int = Field(default=5, ge=1, description="A program's CPU-time limit.")
    memory_mb: int = Field(default=512, ge=16, description="A program's address-space limit.")
    output_bytes: int = Field(
        default=8192, ge=64, description="What a program may write (stdout and stderr together); more kills it."
    )

    def sandbox(self) -> Sandbox:
        """A sandbox with these limits, or a configuration error naming what this machine lacks."""
        missing = Sandbox.missing(self.python)
        if missing:
            raise ConfigurationError(f"the python tool's sandbox needs {', '.join(missing)} on this machine")
        limits = SandboxLimits(
            wall_s=self.timeout_s,
            cpu_s=self.cpu_s,
            memory_bytes=self.memory_mb * 2**20,
            output_bytes=self.output_bytes,
        )
        return Sandbox(self.python, limits, self.concurrency)


class EngineSettings(BaseModel):
    """The resources of one in-process vLLM engine (`BON_GENERATOR_ENGINE__DTYPE=bfloat16`, …)."""

    model_config = ConfigDict(extra="forbid")

    gpu_memory_utilization: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="On a GPU: the share of its memory this engine takes; unset, each engine's own default, so "
        "that the engines of one process share one GPU.",
    )
    kv_cache_bytes: int | None = Field(
        default=None, gt=0, description="An explicit KV cache size; on the CPU backend 256 MiB when unset."
    )
    tensor_parallel_size: int = Field(default=1, ge=1, description="GPUs the model is split across.")
    dtype: str = Field(default="auto", description="Weights' dtype: auto (the checkpoint's), bfloat16, float16, …")
    quantization: str | None = Field(default=None, description="vLLM's quantization method (awq, gptq, fp8, …).")
    max_num_seqs: int | None = Field(default=None, ge=1, description="Sequences in flight at once (vLLM's default).")
    max_model_len: int | None = Field(default=None, ge=1, description="Caps the model's context (saves GPU memory).")
    enforce_eager: bool | None = Field(
        default=None, description="Unset: eager on the CPU (nothing to gain for tiny models), CUDA graphs on a GPU."
    )
    seed: int = Field(default=0, description="The engine's seed (requests without one sample from it).")
    block_size: int | None = Field(
        default=None,
        ge=1,
        description="Tokens per KV cache block; prefix caching reuses whole blocks. Unset, vLLM's default, except "
        "32 for a reward model on the CPU backend (whose default, 128, is longer than most chains' steps).",
    )
    cpu_cores: str | None = Field(
        default=None,
        description="On the CPU backend: the cores this engine's threads run on (vLLM's "
        "VLLM_CPU_OMP_THREADS_BIND, e.g. `0-3`); unset, the generator takes the first half of the machine's "
        "cores and the reward models the second, so that scoring does not stall decoding.",
    )

    def with_gpu_share(self, share: float) -> EngineSettings:
        """These settings, with `share` of the GPU where none was set."""
        return (
            self
            if self.gpu_memory_utilization is not None
            else self.model_copy(update={"gpu_memory_utilization": share})
        )


class AdaptiveSettings(BaseModel):
    """The adaptive strategy's rules (`BON_ADAPTIVE__WAVE=4`, …): see app/core/adaptive.py. A
    reward model's fitted rules (its bon_calibration.json, see app/fitted.py) replace these
    built-in defaults; a field set here replaces the fitted one."""

    model_config = ConfigDict(extra="forbid")

    wave: int = Field(default=4, ge=1, description="Chains decoding at once.")
    prune_floor: float = Field(
        default=0.1, ge=0, le=1, description="A chain whose scored steps aggregate below this is cut."
    )
    prune_relative: float = Field(
        default=0.0, ge=0, le=1, description="…or below this fraction of the best chain score so far."
    )
    prune_min_steps: int = Field(default=1, ge=1, description="Steps a chain has scored before it can be cut.")
    stop_margin: float = Field(
        default=2.0, ge=0, description="The vote is decided when the leader is this many weighted votes ahead…"
    )
    stop_share: float = Field(default=0.8, ge=0, le=1, description="…holds this share of the weight…")
    stop_min_votes: int = Field(default=3, ge=1, description="…and at least this many chains voted.")

    def rules(self) -> SearchRules:
        prune = PruneRule(self.prune_floor, self.prune_relative, self.prune_min_steps)
        return SearchRules(prune, StopRule(self.stop_margin, self.stop_share, self.stop_min_votes), self.wave)


class StepSearchSettings(BaseModel):
    """The step-level searches' rules (`BON_STEP_SEARCH__TEMPERATURE=0.5`, …): see app/core/particles.py."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(
        default=1.0, gt=0, description="particle_filtering: weights are the PRM's odds to the power 1/temperature."
    )
    width: int = Field(
        default=4, ge=1, description="beam: each kept chain is extended this many ways; n / width chains are kept."
    )
    diverse: bool = Field(
        default=False,
        description="beam as DVTS (diverse verifier tree search): n / width independent subtrees, each keeping "
        "its own best chain.",
    )

    def rules(self) -> StepRules:
        return StepRules(self.temperature, self.width, self.diverse)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BON_", env_file=".env", extra="ignore", env_nested_delimiter="__")

    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    # Each model is a local directory or a Hugging Face id (handed to vLLM as it is), with an
    # optional revision and format (a preset name or a format file; see app/formats).
    generator_model: str = Field(
        default=str(SHIPPED_MODELS / "arith-generator"), description="The generator: a directory or a hub id."
    )
    generator_revision: str | None = Field(default=None, description="The generator's revision on the hub.")
    generator_format: str | None = Field(
        default=None, description="A preset or format file; else the model's bon_model.json, else detected."
    )
    prm_model: str = Field(default=str(SHIPPED_MODELS / "arith-prm"), description="The process reward model.")
    prm_revision: str | None = Field(default=None, description="The PRM's revision on the hub.")
    prm_format: str | None = Field(default=None, description="As generator_format, for the PRM.")
    orm_model: str | None = Field(
        default=AUTO,
        description="The outcome reward model, which enables `orm_max`; `none` or empty turns it off; `auto`: the "
        "shipped ORM beside the shipped PRM, none beside any other. With `reward_url`, any model asks the worker's "
        "outcome model instead.",
    )
    orm_revision: str | None = Field(default=None, description="The ORM's revision on the hub.")
    orm_format: str | None = Field(default=None, description="As generator_format, for the ORM.")
    # Summaries of the hidden reasoning are written by the generator, or by a model of their own.
    summarizer_model: str | None = Field(
        default=None, description="A model (directory or hub id) that writes the summaries; unset: the generator."
    )
    summarizer_revision: str | None = Field(default=None, description="The summarizer's revision on the hub.")
    summarizer_format: str | None = Field(default=None, description="As generator_format, for the summarizer.")
    summarizer_engine: EngineSettings = Field(default_factory=EngineSettings)
    summary_instructions: dict[SummaryStyle, str] | None = Field(
        default=None, description="The summarizer's instructions for each length; unset: the built-in ones."
    )
    summary_max_tokens: dict[SummaryStyle, int] | None = Field(
        default=None, description="The summary's token budget for each length; unset: 160 / 64 / 320."
    )
    summary_request: str | None = Field(
        default=None,
        description="The summarizer's user message, with {problem} and {solution} (the winning chain's steps) "
        "replaced literally; unset: the built-in one.",
    )
    summary_timeout_s: float = Field(
        default=30.0, gt=0, description="Past it the answer goes out with a structured summary."
    )
    summary_guard_tokens: int = Field(
        default=12, ge=4, description="A summary repeating this many tokens of a hidden chain is replaced."
    )
    system_prompt: str | None = Field(
        default=None,
        description="Replaces the generator format's system prompt (chat formats); empty for none. A request's "
        "own system prompt replaces this one.",
    )
    # Split deployment: either engine can be a remote service instead of an in-process one.
    generator_url: Annotated[tuple[HttpUrl, ...], NoDecode] = Field(
        default=(),
        description="OpenAI-compatible completions servers (`vllm serve`) to sample from instead of the "
        "in-process engine: one URL, several (comma-separated, or a JSON list), or a name that resolves to "
        "several addresses (a headless Service); a request's chains all go to one of them. `generator_model` "
        "still names the model: its tokenizer and format are read here.",
    )
    generator_served_name: str | None = Field(
        default=None, description="The model name the remote server serves; asked of its /v1/models when unset."
    )
    reward_url: Annotated[tuple[HttpUrl, ...], NoDecode] = Field(
        default=(),
        description="Reward workers (`bon worker`) to score with instead of the in-process engines, named as "
        "generator_url names its servers; a request's calls all go to one of them.",
    )
    replica_resolve_s: float = Field(
        default=10.0, gt=0, description="How often a replica URL's host name is resolved again (pods come and go)."
    )
    replica_down_s: float = Field(
        default=5.0,
        gt=0,
        description="How long a replica that could not be reached is passed over before requests try it again "
        "(GET /ready probes it sooner).",
    )
    remote_timeout_s: float | None = Field(
        default=None, gt=0, description="Timeout of one call to a remote engine; unset: the request's deadline."
    )

    # Engine resources, per in-process engine: by default the three share one GPU.
    generator_engine: EngineSettings = Field(default_factory=EngineSettings)
    prm_engine: EngineSettings = Field(default_factory=EngineSettings)
    orm_engine: EngineSettings = Field(default_factory=EngineSettings)

    # Request limits and defaults.
    max_n: int = Field(default=64, ge=1, le=1024, description="Largest N a client may ask for.")
    default_n: int = Field(default=16, ge=1)
    default_temperature: float = Field(default=1.0, ge=0.0, le=WIRE_MAX_TEMPERATURE)
    max_temperature: float = Field(
        default=WIRE_MAX_TEMPERATURE,
        ge=0.0,
        le=WIRE_MAX_TEMPERATURE,
        description="Highest temperature a client may ask for.",
    )
    default_max_tokens: int | None = Field(
        default=None, ge=1, description="A chain's token budget when a request sets none; unset: the format's."
    )
    max_problem_chars: int = Field(
        default=WIRE_MAX_PROBLEM_CHARS,
        ge=1,
        le=WIRE_MAX_PROBLEM_CHARS,
        description="Longest problem accepted, in characters.",
    )
    max_request_bytes: int = Field(
        default=2**20,
        ge=1024,
        description="Largest request body accepted, in bytes; a larger one is answered 413 before it is read whole.",
    )
    default_aggregation: Aggregation = "min"
    default_selection: Selection = "prm_weighted_vote"
    request_timeout_s: float | None = Field(
        default=None, gt=0, description="Per-request deadline for the pipeline; unset: the format's."
    )
    max_concurrent_requests: int = Field(default=32, ge=1, description="Requests that run at once.")
    max_queued_requests: int = Field(
        default=256, ge=0, description="Requests that wait for a slot, clients served in turn; beyond: 429."
    )
    rate_limit_requests_per_minute: int | None = Field(
        default=None, ge=1, description="Requests each API key may start a minute; unset: no limit."
    )
    rate_limit_reasoning_tokens_per_minute: int | None = Field(
        default=None,
        ge=1,
        description="Hidden reasoning tokens each API key may have decoded a minute (charged as requests end); "
        "unset: no limit.",
    )
    shutdown_grace_s: float = Field(
        default=30.0,
        ge=0,
        description="On SIGTERM the server stops taking connections and waits this long for the requests in "
        "flight to finish before it closes the engines.",
    )
    max_queue_wait_s: float = Field(
        default=30.0, ge=0, description="The longest a request waits for a slot before it is answered 429."
    )
    adaptive: AdaptiveSettings = Field(default_factory=AdaptiveSettings)
    step_search: StepSearchSettings = Field(default_factory=StepSearchSettings)
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Keys that may call the API (comma-separated, or a JSON list); with none and no keys file, "
        "the API is open: keep it on 127.0.0.1 then.",
    )
    api_keys_file: Path | None = Field(
        default=None, description="A file of API keys, one a line ('#' comments); re-read when it changes."
    )
    admin_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Keys that may read the audit store's records (/admin/…), hidden chains included; API keys "
        "cannot. With none, the admin routes refuse everyone.",
    )
    admin_keys_file: Path | None = Field(default=None, description="A file of admin keys, as api_keys_file.")
    data_dir: Path = Field(
        default=Path("data"), description="Where the service keeps its files (the SQLite audit store)."
    )
    trace_db: str | None = Field(
        default=None,
        description="The audit store of every solved request (its hidden chains, step scores, pruning, summary, "
        "usage, key id): unset, SQLite in data_dir/audit.db; `postgresql://user:pass@host/db` for several "
        "replicas; `none`: nothing is recorded.",
    )
    trace_hash_key: SecretStr | None = Field(
        default=None,
        description="A secret: with it, a `store: false` record keeps HMAC-SHA256 digests of its texts, which "
        "no one without the key can test guesses against; unset, plain SHA-256 (a short answer can be guessed).",
    )
    trace_buffer: int = Field(
        default=4096, ge=1, description="Records waiting for the store at most; beyond, records are dropped (counted)."
    )
    trace_retention_days: float = Field(default=30, gt=0, description="Records older than this are removed.")
    trace_sweep_interval_s: float = Field(default=3600, gt=0, description="How often the retention sweep runs.")
    trace_timeout_s: float = Field(
        default=5, gt=0, description="A database call slower than this fails (and the writer retries)."
    )
    trace_flush_s: float = Field(
        default=5, ge=0, description="On shutdown, how long buffered records may take to be written."
    )
    calibration: Path | Literal["none"] | None = Field(
        default=None,
        description="The confidence calibration and fitted search rules (a bon_calibration.json); unset: the "
        "PRM's own, where it ships one; `none`: no calibration (confidence is the vote share, and the search's "
        "rules are the settings').",
    )
    verified_threshold: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="An answer whose calibrated confidence is below this is returned with `verified: false`.",
    )
    continue_ttl_s: float = Field(
        default=600,
        ge=0,
        description="How long after an answer `POST /solve/{request_id}/continue` may resume its search; 0: "
        "answers are not kept.",
    )
    continue_max_chains: int = Field(
        default=256, ge=1, description="The most chains one answer may have, every continuation together."
    )
    continue_max_kept: int = Field(
        default=256, ge=1, description="Searches kept for /continue at once; the oldest goes first."
    )
    checkers: list[str] | Literal["auto", "none"] = Field(
        default="auto",
        description="The step checkers a request uses unless it names its own (`checks`): `auto`, those the "
        "generator's format declares; `none`; or a list of names (numeric, latex, arith).",
    )
    check_fail_cap: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="A step a checker found false scores at most this (0: a veto); a step found true keeps its score.",
    )
    check_workers: int = Field(
        default=1, ge=1, description="Processes that run the heavy step checkers (latex) in the embedded deployment."
    )
    check_timeout_s: float = Field(
        default=2.0, gt=0, description="A heavy step check running longer is killed, and its step is `none`."
    )
    tools: list[str] | Literal["auto", "none"] = Field(
        default="none",
        description="The tools a request's chains call unless it names its own (`tools`): `none`; `auto`, those the "
        "generator's format calls that this server runs; or a list of names (calculator, python).",
    )
    tools_allow_exec: bool = Field(
        default=False,
        description="Let requests call the `python` tool: the chains' code in a bubblewrap sandbox (`sandbox`), in "
        "the reward worker in the split deployment (which must allow it too), else in a process tree of its own "
        "started from here. Off: no request can call it.",
    )
    tools_max_calls: int = Field(
        default=512,
        ge=0,
        description="Tool calls one request may make, all chains together; later ones are refused. The default "
        "lets 64 chains of the shipped task call the calculator at every step and answer line.",
    )
    sandbox: SandboxSettings = Field(default_factory=lambda: SandboxSettings(), description="The python tool's limits.")
    step_scoring: StepScoring = Field(
        default="auto",
        description="When the reward model reads the chains of a fixed-N request: `batch` (one generator request "
        "for all N, answered whole, then one reward call: the least work around the model), `finished` (the chains "
        "streamed, each scored as it ends while the others decode), `steps` (every step as a separator settles it: "
        "worth it where the reward model has hardware of its own), or `auto`: batch for a request whose progress "
        "nobody watches (not a streamed POST /solve) when the reward model is remote, else finished; "
        "bench/THROUGHPUT.md measured the choice.",
    )

    stream_interval: int = Field(
        default=4,
        ge=1,
        description="A streamed chain's deltas carry at least this many tokens (vLLM's stream_interval; its last "
        "one fewer): fewer, larger pieces to parse, at the cost of seeing a settled step up to this many tokens late.",
    )

    # The OpenAI-compatible endpoints: `reasoning_effort` picks N and each chain's token budget.
    served_model_name: str | None = Field(
        default=None, description="The model id /v1/models lists; the generator directory's name when unset."
    )
    default_reasoning_effort: Effort = "medium"
    reasoning_effort_n: dict[Effort, int] = Field(
        default={"minimal": 1, "low": 4, "medium": 16, "high": 64},
        description="Chains sampled for each reasoning effort.",
    )
    reasoning_effort_max_tokens: dict[Effort, int] | None = Field(
        default=None, description="Token budget of each chain for each reasoning effort; unset: the format's."
    )
    openai_strategy: Strategy = Field(
        default="fixed",
        description="How the OpenAI routes sample: `fixed` (the effort's N chains, each with its share of "
        "max_completion_tokens) or `adaptive` (at most the effort's N, stopping when the vote is decided, "
        "max_completion_tokens the reasoning tokens of all chains together), or a step-level search "
        "(`particle_filtering`, `beam`: the effort's N partial chains, a step at a time, under the same total).",
    )

    @field_validator(
        "orm_model",
        "summarizer_model",
        "generator_revision",
        "prm_revision",
        "orm_revision",
        "summarizer_revision",
        "generator_format",
        "prm_format",
        "orm_format",
        "summarizer_format",
        mode="before",
    )
    @classmethod
    def _unset_when_none_or_empty(cls, value: object) -> object:
        return optional_model(value)

    @field_validator("api_keys", "admin_keys", "generator_url", "reward_url", mode="before")
    @classmethod
    def _list_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("checkers", "tools", mode="before")
    @classmethod
    def _comma_separated_checkers(cls, value: object) -> object:
        if isinstance(value, str) and value not in ("auto", "none"):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("calibration", mode="before")
    @classmethod
    def _empty_calibration_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def generator(self) -> ModelRef:
        return ModelRef(self.generator_model, self.generator_revision)

    @property
    def prm(self) -> ModelRef:
        return ModelRef(self.prm_model, self.prm_revision)

    @property
    def summarizer(self) -> ModelRef | None:
        return ModelRef(self.summarizer_model, self.summarizer_revision) if self.summarizer_model else None

    @property
    def orm(self) -> ModelRef | None:
        name = shipped_orm_beside(self.prm_model) if self.orm_model == AUTO else self.orm_model
        return ModelRef(name, self.orm_revision) if name else None

    @property
    def model_id(self) -> str:
        return self.served_model_name or self.generator.short_name

    @model_validator(mode="after")
    def _gpu_shares(self) -> Settings:
        # Filled here rather than as field defaults: an engine given one field from the
        # environment (BON_PRM_ENGINE__DTYPE) still gets its own share of the GPU.
        self.generator_engine = self.generator_engine.with_gpu_share(GPU_SHARES["generator"])
        self.prm_engine = self.prm_engine.with_gpu_share(GPU_SHARES["prm"])
        self.orm_engine = self.orm_engine.with_gpu_share(GPU_SHARES["orm"])
        self.summarizer_engine = self.summarizer_engine.with_gpu_share(GPU_SHARES["summarizer"])
        return self

    @model_validator(mode="after")
    def _defaults_within_limits(self) -> Settings:
        for effort in get_args(Effort):
            n = self.reasoning_effort_n.get(effort)
            if n is None or not 1 <= n <= self.max_n:
                raise ValueError(f"reasoning_effort_n[{effort}] must be set within 1..max_n={self.max_n}")
            budgets = self.reasoning_effort_max_tokens
            if budgets is not None and budgets.get(effort, 0) < 1:
                raise ValueError(f"reasoning_effort_max_tokens[{effort}] must be set and positive")
        if not 1 <= self.default_n <= self.max_n:
            raise ValueError(f"default_n={self.default_n} must be within 1..max_n={self.max_n}")
        if self.default_temperature > self.max_temperature:
            raise ValueError("default_temperature exceeds max_temperature")
        if self.openai_strategy == "adaptive" and self.default_selection != "prm_weighted_vote":
            raise ValueError("openai_strategy 'adaptive' stops on the PRM-weighted vote: default_selection must be it")
        if self.openai_strategy in STEP_STRATEGIES and self.default_selection == "orm_max":
            raise ValueError(f"openai_strategy '{self.openai_strategy}' scores steps with the PRM: not orm_max")
        return self
