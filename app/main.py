"""The API app: settings, a lifespan that loads the engines once, thin routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import partial

from fastapi import FastAPI

from app.api.openai_errors import OPENAI_PREFIX, openai_error
from app.api.openapi import install_openapi
from app.api.routes import admin, admin_ui, health, openai, solve
from app.api.state import ApiState, api_state
from app.audit.recall import Recall
from app.audit.record import solve_entry
from app.audit.store import AuditStore, database_url, redacted
from app.audit.writer import AuditMetrics, AuditWriter, Retention
from app.config import Settings
from app.engines.container import Engines, build_engines
from app.engines.replica_metrics import ReplicaCollector
from app.fitted import Fitted, load_fitted
from app.formats.spec import GeneratorFormat
from app.service.continuation import Continuations
from app.service.outcome import SolveOutcome
from app.service.params import RequestPolicy
from app.service.pipeline_metrics import PipelineMetrics
from app.service.rate_limits import RateLimits
from app.service.solve import ServiceLimits, ServiceRules, SolveService
from app.service.summaries import SummaryPrompts, SummaryWriter
from app.web.api_keys import ApiKeys, install_api_keys, install_key_headers
from app.web.body_limit import BodyLimit
from app.web.errors import install_error_handlers
from app.web.http_metrics import install_metrics
from app.web.loading import Loader
from app.web.request_id import configure_logging, install_request_id

EngineFactory = Callable[[Settings], Engines]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
log = logging.getLogger(__name__)


def build_solve_service(
    engines: Engines, startup: Startup, metrics: PipelineMetrics, audit: AuditWriter | None = None
) -> SolveService:
    settings = startup.settings
    summaries = SummaryWriter(
        engines.generator_format,
        engines.summarizer or engines.generator,
        engines.summarizer_format or engines.generator_format,
        SummaryPrompts.of(settings),
        metrics.summary_written,
    )
    recall = Recall(audit.store, settings.continue_ttl_s) if audit is not None else None
    return SolveService(
        engines,
        ServiceLimits.of(settings, engines.generator_format, startup.rates),
        metrics,
        rules=ServiceRules.of(settings, startup.fitted),
        summaries=summaries,
        continuations=Continuations.of(settings, recall),
        audit=partial(record_solve, audit, trace_hash_key(settings)) if audit is not None else None,
    )


def record_solve(
    writer: AuditWriter,
    hash_key: bytes | None,
    outcome: SolveOutcome,
    key_id: str,
    continued: bool,
    continuable: bool,
) -> None:
    """Hand an answer to the audit writer; its record is built in the writer's task."""
    writer.submit(partial(solve_entry, outcome, key_id, outcome.params.store, continued, continuable, hash_key))


def trace_hash_key(settings: Settings) -> bytes | None:
    return settings.trace_hash_key.get_secret_value().encode() if settings.trace_hash_key else None


def build_audit_writer(url: str | None, settings: Settings, metrics: AuditMetrics) -> AuditWriter | None:
    if url is None:
        log.warning("BON_TRACE_DB=none: answers and their hidden chains are not recorded")
        return None
    log.info("audit store: %s", redacted(url))
    retention = Retention(settings.trace_retention_days, settings.trace_sweep_interval_s)
    return AuditWriter(AuditStore(url, settings.trace_timeout_s), metrics, settings.trace_buffer, retention)


@dataclass(frozen=True, slots=True)
class Startup:
    """What the app starts its engines and audit store with, read before anything starts (a broken
    calibration file or database URL is a configuration error, not a 500 later)."""

    settings: Settings
    fitted: Fitted
    rates: RateLimits
    audit_url: str | None
    engines: Engines | None  # given (tests): the lifespan loads none and closes none
    engine_factory: EngineFactory

    @classmethod
    def of(cls, settings: Settings, engines: Engines | None, engine_factory: EngineFactory) -> Startup:
        rates = RateLimits(settings.rate_limit_requests_per_minute, settings.rate_limit_reasoning_tokens_per_minute)
        audit_url = database_url(settings.trace_db, settings.data_dir)
        return cls(settings, load_fitted(settings), rates, audit_url, engines, engine_factory)


def lifespan_of(startup: Startup, audit_metrics: AuditMetrics) -> Lifespan:
    settings = startup.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        state = api_state(app)
        state.audit = writer = build_audit_writer(startup.audit_url, settings, audit_metrics)
        if writer is not None:
            writer.start()
            if not await writer.started(settings.trace_timeout_s):
                log.error("the audit store is not reachable; answers are buffered until it is")

        def serve_with(loaded: Engines) -> None:
            state.policy = RequestPolicy.of(settings, loaded.generator_format, loaded.tools)
            state.solve_service = build_solve_service(loaded, startup, state.metrics, state.audit)

        if startup.engines is not None:
            state.engine_loader.use(startup.engines, serve_with)
        else:
            state.engine_loader.start(lambda: startup.engine_factory(settings), serve_with)
        try:
            yield
        finally:
            # The requests in flight have drained (the server waits for them before this runs):
            # their records are written before the engines close.
            if writer is not None:
                await writer.close(settings.trace_flush_s)
            state.audit = None
            await state.engine_loader.close(None if startup.engines is not None else Engines.close)

    return lifespan


def create_app(
    settings: Settings | None = None,
    engines: Engines | None = None,
    engine_factory: EngineFactory = build_engines,
) -> FastAPI:
    """Build the app. With `engines` given (tests share one set, or fakes), the lifespan loads none
    and leaves them open on exit: they belong to the caller."""
    startup = Startup.of(settings or Settings(), engines, engine_factory)
    settings = startup.settings
    keys = ApiKeys.of(settings.api_keys, settings.api_keys_file)
    if not keys.enabled and settings.host not in LOOPBACK:
        log.warning(
            "NO API KEYS: the service listens on %s and anyone who can reach it may run N=%d requests; "
            "set BON_API_KEYS or BON_API_KEYS_FILE, or listen on 127.0.0.1",
            settings.host,
            settings.max_n,
        )
    log.info("confidence calibration: %s", startup.fitted.source or "none (confidence is the vote share)")
    app = FastAPI(
        title="Best-of-N verification service",
        version="0.1.0",
        summary="Samples N chains of thought, scores every step with a process reward model, returns the best "
        "answer with a summary of the hidden reasoning.",
    )
    registry = install_metrics(app)
    app.router.lifespan_context = lifespan_of(startup, AuditMetrics(registry))
    app.state.api = ApiState(
        settings=settings,
        engine_loader=Loader("the engines", "engines"),
        api_keys=keys,
        admin_keys=ApiKeys.of(settings.admin_keys, settings.admin_keys_file),
        metrics=PipelineMetrics(registry),
        # Until the engines are up the generator's format is unknown; requests are checked against
        # the settings (and answered 503), and the format's budgets apply once it is loaded.
        policy=RequestPolicy.of(settings, GeneratorFormat()),
    )
    loader = app.state.api.engine_loader
    registry.register(ReplicaCollector(lambda: loader.value.pools() if loader.value is not None else {}))
    install_routes(app, keys, startup.rates, settings.max_request_bytes)
    return app


def install_routes(app: FastAPI, keys: ApiKeys, rates: RateLimits, max_body_bytes: int) -> None:
    """The routers, and what runs around them: errors in each dialect, keys, the body cap, request
    ids, the spec."""
    respond = install_error_handlers(app, {OPENAI_PREFIX: openai_error})
    if rates.enabled:
        install_key_headers(app, rates.headers)
    install_api_keys(app, keys, respond)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes, respond=respond)
    install_request_id(app)  # outermost: a refused request has an id too
    install_openapi(app)
    for router in (health.router, solve.router, openai.router, admin.router, admin_ui.router):
        app.include_router(router)
