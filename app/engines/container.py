"""The engines of one app, built once at start-up from the settings."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from app.config import AUTO, Settings
from app.engines.check_pool import CheckPool, HeavyChecks
from app.engines.http_common import make_client
from app.engines.protocols import GENERATOR, REWARD_MODEL, Generator, Replicated, StepScorer, pinned
from app.engines.remote_tools import RemoteTool
from app.engines.replicas import Connect, ReplicaPool
from app.engines.vllm_common import load_tokenizer
from app.formats.resolve import generator_format
from app.formats.spec import GeneratorFormat
from app.tools.belt import Runner, ToolRunners
from app.tools.calculator import NAME as CALCULATOR
from app.tools.calculator import calculate
from app.tools.calls import ToolResult
from app.tools.sandbox import NAME as PYTHON

log = logging.getLogger(__name__)


@dataclass
class Engines:
    generator: Generator
    scorer: StepScorer
    outcome_scorer: StepScorer | None
    generator_format: GeneratorFormat
    # A model of its own for the summaries (in process); without one the generator writes them.
    summarizer: Generator | None = None
    summarizer_format: GeneratorFormat | None = None
    # Where the heavy step checkers run: the reward worker's pool, or a process pool of this
    # process's own (started on the first heavy check).
    heavy_checks: HeavyChecks = field(default_factory=lambda: CheckPool(1, 2.0))
    # The tools chains may call on this server: the calculator always, python where enabled.
    tools: ToolRunners = field(default_factory=lambda: ToolRunners({CALCULATOR: calculator_runner}))

    def by_name(self) -> dict[str, Generator | StepScorer]:
        """Each engine under the name `/ready` reports it by."""
        named: dict[str, Generator | StepScorer] = {GENERATOR: self.generator, REWARD_MODEL: self.scorer}
        if self.outcome_scorer is not None:
            named["outcome_reward"] = self.outcome_scorer
        if self.summarizer is not None:
            named["summarizer"] = self.summarizer
        return named

    @property
    def remote_reward(self) -> bool:
        """Whether the reward model is served over HTTP (the split deployment), not in process."""
        return isinstance(self.scorer, Replicated)

    def pinned(self, key: str) -> Engines:
        """The engines as the request `key` sees them: each pool's calls on the replica it picks."""
        return replace(
            self,
            generator=pinned(self.generator, key),
            scorer=pinned(self.scorer, key),
            outcome_scorer=pinned(self.outcome_scorer, key),
        )

    def pools(self) -> dict[str, ReplicaPool]:
        """Each pool of remote replicas, by the service it serves (the reward models share one)."""
        return {e.replicas().service: e.replicas() for e in self.by_name().values() if isinstance(e, Replicated)}

    async def close(self) -> None:
        await self.heavy_checks.close()
        for engine in self.by_name().values():
            try:
                await engine.close()
            except Exception:  # closing must not stop the others from closing
                log.exception("closing an engine failed")


def build_engines(settings: Settings) -> Engines:
    """Start the engines: in-process vLLM (slow: tens of seconds each on the CPU), or adapters
    for the remote services named by URL (instant: they connect on first use, so the app starts
    and reports not-ready while a service is still down)."""
    # The generator's tokenizer is read here in both deployments: prompts are made and counted here.
    tokenizer = load_tokenizer(settings.generator)
    fmt, _ = generator_format(settings.generator_format, "BON_GENERATOR_FORMAT", settings.generator, tokenizer)
    # A remote call may take as long as the whole request may: one call samples all N chains.
    remote_timeout = settings.remote_timeout_s or settings.request_timeout_s or fmt.timeout_s
    connect = partial(make_client, timeout_s=remote_timeout)
    generator: Generator
    if settings.generator_url:
        from app.engines.remote_generator import RemoteGenerator

        config = settings.generator.read_json("config.json") or {}
        generator = RemoteGenerator(
            _pool(GENERATOR, settings.generator_url, settings, connect),
            tokenizer,
            settings.generator_served_name,
            fallback_context=config.get("max_position_embeddings"),
        )
    else:
        from app.engines.vllm_generator import VllmGenerator

        generator = VllmGenerator.start(settings.generator, tokenizer, settings.generator_engine)
    scorer: StepScorer
    outcome: StepScorer | None
    heavy_checks: HeavyChecks
    workers: ReplicaPool | None = None
    if settings.reward_url:
        from app.engines.remote_checks import RemoteChecks
        from app.engines.remote_scorer import RemoteStepScorer

        workers = _pool(REWARD_MODEL, settings.reward_url, settings, connect)
        heavy_checks = RemoteChecks(workers)
        scorer = RemoteStepScorer(workers, "process")
        # The worker owns the models: `auto` asks for its outcome model, if it serves one.
        outcome = (
            RemoteStepScorer(workers, "outcome", required=settings.orm_model != AUTO)
            if settings.orm_model is not None
            else None
        )
    else:
        from app.engines.vllm_scorer import VllmStepScorer

        heavy_checks = CheckPool(settings.check_workers, settings.check_timeout_s)
        scorer = VllmStepScorer.load(settings.prm, settings.prm_format, "BON_PRM_FORMAT", settings.prm_engine)
        orm = settings.orm
        outcome = VllmStepScorer.load(orm, settings.orm_format, "BON_ORM_FORMAT", settings.orm_engine) if orm else None
    summarizer, summarizer_format = _summarizer(settings)
    tools = tool_runners(settings, workers)
    return Engines(generator, scorer, outcome, fmt, summarizer, summarizer_format, heavy_checks, tools)


async def calculator_runner(code: str) -> ToolResult:
    return calculate(code)


def tool_runners(settings: Settings, workers: ReplicaPool | None = None) -> ToolRunners:
    """The calculator, and, when the operator enabled it, the python tool: the reward workers' sandbox
    in the split deployment, else one started from here (what this machine lacks for it is a
    configuration error, not a request's)."""
    runners: dict[str, Runner] = {CALCULATOR: calculator_runner}
    if settings.tools_allow_exec:
        runners[PYTHON] = RemoteTool(workers).run if workers is not None else settings.sandbox.sandbox().run
    return ToolRunners(runners)


def _pool(service: str, urls: Sequence[object], settings: Settings, connect: Connect) -> ReplicaPool:
    return ReplicaPool(
        service,
        [str(u) for u in urls],
        connect,
        resolve_every_s=settings.replica_resolve_s,
        down_for_s=settings.replica_down_s,
    )


def _summarizer(settings: Settings) -> tuple[Generator | None, GeneratorFormat | None]:
    model = settings.summarizer
    if model is None:
        return None, None
    from app.engines.vllm_generator import VllmGenerator

    tokenizer = load_tokenizer(model)
    fmt, _ = generator_format(settings.summarizer_format, "BON_SUMMARIZER_FORMAT", model, tokenizer)
    return VllmGenerator.start(model, tokenizer, settings.summarizer_engine), fmt
