"""The reward worker's FastAPI app: `POST /score`, `/health`, `/ready`, `/metrics`.

It owns the reward model's input format (the step tags and prompt come from the model's
format) and runs vLLM's pooling runner; the API app only sends problems and lists of steps.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import Histogram

from app.checks.registry import UnknownChecker, known
from app.engines.check_pool import CheckPool
from app.engines.protocols import REWARD_MODEL
from app.errors import EngineError, EngineUnavailable, InvalidRequest, NotReady
from app.reward_wire import (
    CheckRequest,
    CheckResponse,
    RewardKind,
    RoomRequest,
    RoomResponse,
    ScoreRequest,
    ScoreResponse,
    StepVerdict,
    ToolRequest,
    ToolResponse,
    WorkerReady,
)
from app.tools.sandbox import Sandbox
from app.web.errors import install_error_handlers, responses_for
from app.web.http_metrics import install_metrics
from app.web.loading import Loader, LoadState, check_all
from app.web.request_id import configure_logging, install_request_id, request_id_var
from app.worker.batcher import BatchScorer, ScoreBatcher
from app.worker.config import WorkerSettings

log = logging.getLogger(__name__)

# What scoring can fail with: no API keys, admission queue or deadline here.
SCORING_ERRORS = responses_for(InvalidRequest, NotReady, EngineUnavailable, EngineError)
NOT_READY = {"model": WorkerReady, "description": "Not ready: the reward models are loading, failed, or do not answer."}


class ScoringEngine(BatchScorer, Protocol):
    async def readable_tokens(self, problem: str) -> int: ...

    async def check(self) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LoadedScorer:
    name: str
    scorer: ScoringEngine


Scorers = Mapping[RewardKind, LoadedScorer]
ScorerFactory = Callable[[WorkerSettings], Scorers]


def build_scorers(settings: WorkerSettings) -> dict[RewardKind, LoadedScorer]:
    """Start one vLLM pooling engine per reward model (tens of seconds each on the CPU)."""
    from app.engines.vllm_scorer import VllmStepScorer

    prm = VllmStepScorer.load(settings.prm, settings.format, "BON_WORKER_FORMAT", settings.engine)
    scorers: dict[RewardKind, LoadedScorer] = {"process": LoadedScorer(settings.prm.short_name, prm)}
    if settings.orm is not None:
        orm = VllmStepScorer.load(
            settings.orm, settings.outcome_format, "BON_WORKER_OUTCOME_FORMAT", settings.outcome_engine
        )
        scorers["outcome"] = LoadedScorer(settings.orm.short_name, orm)
    return scorers


def get_scorer_loader(request: Request) -> Loader[Scorers]:
    return request.app.state.scorer_loader


def get_batchers(request: Request) -> dict[RewardKind, ScoreBatcher]:
    return request.app.state.batchers


ScorerLoaderDep = Annotated[Loader[Scorers], Depends(get_scorer_loader)]
BatchersDep = Annotated[dict[RewardKind, ScoreBatcher], Depends(get_batchers)]


def create_worker_app(settings: WorkerSettings, scorer_factory: ScorerFactory = build_scorers) -> FastAPI:
    loader: Loader[Scorers] = Loader("the reward models", REWARD_MODEL)
    batchers: dict[RewardKind, ScoreBatcher] = {}
    checks = CheckPool(settings.check_workers, settings.check_timeout_s)

    def serve_with(scorers: Scorers) -> None:
        for kind, loaded in scorers.items():
            batcher = ScoreBatcher(
                loaded.scorer, REWARD_MODEL, settings.max_batch_chains, batch_requests.labels(kind).observe
            )
            batcher.start()
            batchers[kind] = batcher
        log.info("reward models: %s", {k: s.name for k, s in scorers.items()})

    async def release(scorers: Scorers) -> None:
        for batcher in batchers.values():
            await batcher.stop()
        for loaded in scorers.values():
            await loaded.scorer.close()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        loader.start(lambda: scorer_factory(settings), serve_with)
        try:
            yield
        finally:
            await loader.close(release)  # stops a load still running first: no batcher starts after
            await checks.close()

    app = FastAPI(
        title="Best-of-N reward worker",
        version="0.1.0",
        summary="Scores every step of every chain with a process reward model on vLLM's pooling runner.",
        lifespan=lifespan,
    )
    app.state.scorer_loader = loader
    app.state.batchers = batchers
    install_request_id(app)
    install_error_handlers(app)

    @app.post("/score", operation_id="score", response_model=ScoreResponse, responses=SCORING_ERRORS)
    async def score(body: ScoreRequest, scorers: ScorerLoaderDep, batchers: BatchersDep) -> ScoreResponse:
        """Score every step of every chain of one problem."""
        loaded = scorers.get().get(body.reward)
        if loaded is None:
            raise InvalidRequest(f"this worker serves no {body.reward} reward model", "reward")
        result = await batchers[body.reward].score(body.problem, body.chains)
        return ScoreResponse(
            model=loaded.name,
            scores=result.per_chain,
            tokens_scored=result.tokens_scored,
            tokens_cached=result.tokens_cached,
            unread=list(result.unread),
        )

    @app.post("/room", operation_id="room", response_model=RoomResponse, responses=SCORING_ERRORS)
    async def room(body: RoomRequest, scorers: ScorerLoaderDep) -> RoomResponse:
        """How many tokens of a chain the reward model can read after this problem's prompt."""
        loaded = scorers.get().get(body.reward)
        if loaded is None:
            raise InvalidRequest(f"this worker serves no {body.reward} reward model", "reward")
        return RoomResponse(tokens=await loaded.scorer.readable_tokens(body.problem))

    add_check_route(app, checks)
    add_tool_route(app, settings.sandbox.sandbox() if settings.tools_allow_exec else None)

    @app.get("/health", operation_id="worker_health")
    async def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/ready", operation_id="worker_ready", response_model=WorkerReady, responses={503: NOT_READY})
    async def ready(scorers: ScorerLoaderDep) -> JSONResponse:
        """The reward models are loaded and their engines answer (503 otherwise)."""
        body = WorkerReady(status=scorers.state.value, detail=scorers.error)
        if scorers.state is LoadState.READY and scorers.value is not None:
            _, failures = await check_all({kind: loaded.scorer for kind, loaded in scorers.value.items()})
            if failures:
                body.status, body.detail = "failed", "; ".join(failures)
            else:
                body.models = {kind: loaded.name for kind, loaded in scorers.value.items()}
        return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if body.status == "ready" else 503)

    batch_requests = Histogram(
        "bon_worker_batch_requests",
        "Score requests served by one engine call.",
        ["reward"],
        buckets=(1, 2, 4, 8, 16, 32, 64),
        registry=install_metrics(app),
    )
    return app


def add_tool_route(app: FastAPI, sandbox: Sandbox | None) -> None:
    """`POST /tool`: a chain's code run in this worker's sandbox (the API's `RemoteTool` calls it)."""

    @app.post("/tool", operation_id="tool", response_model=ToolResponse, responses=responses_for(InvalidRequest))
    async def tool(body: ToolRequest) -> ToolResponse:
        """Run a chain's code in a bubblewrap sandbox; every way it ends is an answer, never an error."""
        if sandbox is None:
            raise InvalidRequest("this worker runs no code (BON_WORKER_TOOLS_ALLOW_EXEC is off)", "tool")
        result = await sandbox.run(body.code)
        return ToolResponse.model_validate(result, from_attributes=True)


def add_check_route(app: FastAPI, checks: CheckPool) -> None:
    """`POST /check`: the heavy step checkers, run in `checks` (the API's `RemoteChecks` calls it)."""

    @app.post("/check", operation_id="check", response_model=CheckResponse, responses=responses_for(InvalidRequest))
    async def check(body: CheckRequest) -> CheckResponse:
        """Check steps with a step checker, in a process pool that kills a check on its timeout."""
        try:
            (name,) = known([body.checker])
        except UnknownChecker as exc:
            raise InvalidRequest(str(exc), "checker") from None
        items = [(item.previous, item.step) for item in body.items]
        verdicts = await checks.check(name, body.problem, items, request_id_var.get())
        return CheckResponse(checks=[StepVerdict.model_validate(v, from_attributes=True) for v in verdicts])
