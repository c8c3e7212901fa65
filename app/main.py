"""The FastAPI application: settings, a lifespan that builds the engines once, thin routers."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator

from app.api.errors import install_error_handlers
from app.api.openapi import install_openapi
from app.api.routes import health, openai_compat, solve
from app.config import Settings, get_settings
from app.engines.container import EngineHolder, Engines, EngineState, build_engines
from app.observability import PipelineMetrics, configure_logging, request_id_var
from app.service.solve import SolveService

log = logging.getLogger(__name__)

EngineFactory = Callable[[Settings], Engines]


def _service(engines: Engines, settings: Settings, metrics: PipelineMetrics) -> SolveService:
    return SolveService(
        engines.generator,
        engines.scorer,
        engines.outcome_scorer,
        engines.generator_descriptor,
        max_n=settings.max_n,
        timeout_s=settings.request_timeout_s,
        max_concurrent=settings.max_concurrent_requests,
        metrics=metrics,
    )


async def _load(app: FastAPI, factory: EngineFactory) -> None:
    holder: EngineHolder = app.state.engines
    try:
        # Engine start-up blocks for tens of seconds: keep the event loop (and /health) free.
        engines = await asyncio.to_thread(factory, app.state.settings)
    except Exception as exc:
        log.exception("engines failed to start")
        holder.state, holder.error = EngineState.FAILED, str(exc)
        return
    app.state.solve_service = _service(engines, app.state.settings, app.state.metrics)
    holder.engines, holder.state = engines, EngineState.READY
    log.info("engines ready")


def create_app(
    settings: Settings | None = None,
    engines: Engines | None = None,
    engine_factory: EngineFactory = build_engines,
) -> FastAPI:
    """Build the app. With `engines` given (tests share one set), the lifespan does not load any."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        holder: EngineHolder = app.state.engines
        if engines is not None:
            app.state.solve_service = _service(engines, settings, app.state.metrics)
            holder.engines, holder.state = engines, EngineState.READY
        else:
            holder.task = asyncio.create_task(_load(app, engine_factory))
        try:
            yield
        finally:
            if holder.task is not None and not holder.task.done():
                holder.task.cancel()
            if engines is None and holder.engines is not None:
                await holder.engines.close()

    app = FastAPI(
        title="Best-of-N verification service",
        version="0.1.0",
        summary="Samples N chains of thought, scores every step with a process reward model, returns the best "
        "answer with a summary of the hidden reasoning.",
        lifespan=lifespan,
    )
    registry = CollectorRegistry()
    app.state.settings = settings
    app.state.engines = EngineHolder()
    app.state.metrics = PipelineMetrics(registry)
    app.state.registry = registry

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        token = request_id_var.set(rid[:64])
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = rid[:64]
        return response

    install_error_handlers(app)
    install_openapi(app)
    app.include_router(health.router)
    app.include_router(solve.router)
    app.include_router(openai_compat.router)
    Instrumentator(registry=registry, should_group_status_codes=False).instrument(app).expose(
        app, include_in_schema=False, should_gzip=False
    )
    return app
