"""The reward worker's FastAPI app: `POST /score`, `/health`, `/ready`, `/metrics`.

It owns the reward model's input format (the step tags and prompt come from the model's
descriptor) and runs vLLM's pooling runner; the API app only sends problems and lists of steps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Histogram
from prometheus_fastapi_instrumentator import Instrumentator

from app.api.errors import ERROR_RESPONSES, install_error_handlers
from app.engines.container import EngineState
from app.errors import EngineError, InvalidRequest, NotReady
from app.observability import configure_logging
from app.worker.batcher import BatchScorer, ScoreBatcher
from app.worker.config import WorkerSettings
from app.worker.schemas import RewardKind, ScoreRequest, ScoreResponse, WorkerReady

log = logging.getLogger(__name__)
SERVICE = "reward"


class ScoringEngine(BatchScorer, Protocol):
    async def check(self) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LoadedScorer:
    name: str
    scorer: ScoringEngine


ScorerFactory = Callable[[WorkerSettings], Mapping[RewardKind, LoadedScorer]]


def build_scorers(settings: WorkerSettings) -> dict[RewardKind, LoadedScorer]:
    """Start one vLLM pooling engine per reward model (tens of seconds each on the CPU)."""
    from app.engines.vllm_common import engine_options
    from app.engines.vllm_scorer import VllmStepScorer

    options = engine_options(settings)
    scorers: dict[RewardKind, LoadedScorer] = {
        "process": LoadedScorer(settings.model.name, VllmStepScorer.start(settings.model, options))
    }
    if settings.outcome_model is not None:
        scorers["outcome"] = LoadedScorer(
            settings.outcome_model.name, VllmStepScorer.start(settings.outcome_model, options)
        )
    return scorers


@dataclass
class WorkerState:
    state: EngineState = EngineState.LOADING
    scorers: dict[RewardKind, LoadedScorer] = field(default_factory=dict)
    batchers: dict[RewardKind, ScoreBatcher] = field(default_factory=dict)
    error: str | None = None


def get_state(request: Request) -> WorkerState:
    return request.app.state.worker


StateDep = Annotated[WorkerState, Depends(get_state)]


def create_worker_app(settings: WorkerSettings, scorer_factory: ScorerFactory = build_scorers) -> FastAPI:
    registry = CollectorRegistry()
    batch_requests = Histogram(
        "bon_worker_batch_requests",
        "Score requests served by one engine call.",
        ["reward"],
        buckets=(1, 2, 4, 8, 16, 32, 64),
        registry=registry,
    )

    async def load(app: FastAPI) -> None:
        worker: WorkerState = app.state.worker
        try:
            scorers = await asyncio.to_thread(scorer_factory, settings)
        except Exception as exc:
            log.exception("the reward models failed to load")
            worker.state, worker.error = EngineState.FAILED, str(exc)
            return
        for kind, loaded in scorers.items():
            batcher = ScoreBatcher(
                loaded.scorer, SERVICE, settings.max_batch_chains, batch_requests.labels(kind).observe
            )
            batcher.start()
            worker.batchers[kind] = batcher
        worker.scorers, worker.state = dict(scorers), EngineState.READY
        log.info("reward models ready: %s", {k: s.name for k, s in scorers.items()})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        task = asyncio.create_task(load(app))
        try:
            yield
        finally:
            task.cancel()
            worker: WorkerState = app.state.worker
            for batcher in worker.batchers.values():
                await batcher.stop()
            for loaded in worker.scorers.values():
                await loaded.scorer.close()

    app = FastAPI(
        title="Best-of-N reward worker",
        version="0.1.0",
        summary="Scores every step of every chain with a process reward model on vLLM's pooling runner.",
        lifespan=lifespan,
    )
    app.state.worker = WorkerState()
    install_error_handlers(app)

    @app.post("/score", operation_id="score", response_model=ScoreResponse, responses=ERROR_RESPONSES)
    async def score(body: ScoreRequest, worker: StateDep) -> ScoreResponse:
        """Score every step of every chain of one problem."""
        if worker.state is EngineState.LOADING:
            raise NotReady("the reward models are still loading")
        if worker.state is EngineState.FAILED:
            raise EngineError(SERVICE, f"the reward models failed to load: {worker.error}")
        if body.reward not in worker.scorers:
            raise InvalidRequest(f"this worker serves no {body.reward} reward model")
        result = await worker.batchers[body.reward].score(body.problem, body.chains)
        return ScoreResponse(
            model=worker.scorers[body.reward].name, scores=result.per_chain, tokens_scored=result.tokens_scored
        )

    @app.get("/health", operation_id="worker_health")
    async def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/ready", operation_id="worker_ready", response_model=WorkerReady, responses={503: {"model": WorkerReady}})
    async def ready(worker: StateDep) -> JSONResponse:
        """The reward models are loaded and their engines answer (503 otherwise)."""
        body = WorkerReady(status=worker.state.value, detail=worker.error)
        if worker.state is EngineState.READY:
            try:
                for loaded in worker.scorers.values():
                    await loaded.scorer.check()
                body.models = {kind: loaded.name for kind, loaded in worker.scorers.items()}
            except EngineError as exc:
                body.status, body.detail = "failed", exc.message
        status = 200 if body.status == "ready" else 503
        return JSONResponse(body.model_dump(exclude_none=True), status_code=status)

    Instrumentator(registry=registry, should_group_status_codes=False).instrument(app).expose(
        app, include_in_schema=False, should_gzip=False
    )
    return app
