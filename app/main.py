"""The API app: settings, a lifespan that loads the engines once, thin routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import get_args

from fastapi import FastAPI

from app.api.openai_errors import OPENAI_PREFIX, openai_error
from app.api.openapi import install_openapi
from app.api.routes import admin, health, openai, solve
from app.audit.recall import Recall
from app.audit.record import solve_entry
from app.audit.store import AuditStore, database_url, redacted
from app.audit.writer import AuditMetrics, AuditWriter, Retention
from app.config import Effort, Settings
from app.engines.container import Engines, build_engines
from app.fitted import Fitted, load_fitted
from app.formats.spec import GeneratorFormat
from app.service.admission import Admission
from app.service.continuation import Continuations
from app.service.kept import KeptSearches
from app.service.outcome import SolveOutcome
from app.service.params import RequestPolicy
from app.service.pipeline_metrics import PipelineMetrics
from app.service.rate_limits import RateLimits
from app.service.solve import ServiceLimits, ServiceRules, SolveService
from app.service.summaries import (
    DEFAULT_INSTRUCTIONS,
    DEFAULT_MAX_TOKENS,
    DEFAULT_REQUEST,
    SummaryPrompts,
    SummaryWriter,
)
from app.web.api_keys import ApiKeys, install_api_keys, install_key_headers
from app.web.errors import install_error_handlers
from app.web.http_metrics import install_metrics
from app.web.loading import Loader
from app.web.request_id import configure_logging, install_request_id

EngineFactory = Callable[[Settings], Engines]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
log = logging.getLogger(__name__)


def request_policy(settings: Settings, fmt: GeneratorFormat) -> RequestPolicy:
    """The settings' defaults and limits; token budgets the settings leave unset are the format's."""
    effort_tokens = settings.reasoning_effort_max_tokens or dict.fromkeys(get_args(Effort), fmt.max_tokens)
    return RequestPolicy(
        default_n=settings.default_n,
        default_temperature=settings.default_temperature,
        default_max_tokens=settings.default_max_tokens or fmt.max_tokens,
        default_aggregation=settings.default_aggregation,
        default_selection=settings.default_selection,
        max_n=settings.max_n,
        max_temperature=settings.max_temperature,
        max_problem_chars=settings.max_problem_chars,
        default_effort=settings.default_reasoning_effort,
        effort_n=dict(settings.reasoning_effort_n),
        effort_max_tokens=effort_tokens,
        default_system=settings.system_prompt,
        openai_strategy=settings.openai_strategy,
    )


def build_solve_service(
    engines: Engines,
    settings: Settings,
    metrics: PipelineMetrics,
    fitted: Fitted | None = None,
    limits: RateLimits | None = None,
    audit: AuditWriter | None = None,
) -> SolveService:
    prompts = SummaryPrompts(
        instructions=DEFAULT_INSTRUCTIONS | (settings.summary_instructions or {}),
        max_tokens=DEFAULT_MAX_TOKENS | (settings.summary_max_tokens or {}),
        request=settings.summary_request or DEFAULT_REQUEST,
        timeout_s=settings.summary_timeout_s,
        guard_run=settings.summary_guard_tokens,
    )
    summaries = SummaryWriter(
        engines.generator_format,
        engines.summarizer or engines.generator,
        engines.summarizer_format or engines.generator_format,
        prompts,
        metrics.summary_written,
    )
    continuations = None
    if settings.continue_ttl_s > 0:
        kept = KeptSearches(settings.continue_ttl_s, settings.continue_max_kept, settings.continue_max_chains)
        continuations = Continuations(kept, Recall(audit.store, settings.continue_ttl_s) if audit else None)
    return SolveService(
        engines,
        ServiceLimits(
            settings.request_timeout_s or engines.generator_format.timeout_s,
            Admission(settings.max_concurrent_requests, settings.max_queued_requests, settings.max_queue_wait_s),
            limits,
        ),
        metrics,
        rules=ServiceRules(
            search=(fitted.search if fitted else settings.adaptive).rules(),
            calibration=fitted.calibration if fitted else None,
            verified_threshold=settings.verified_threshold,
            score_steps_while_decoding=settings.step_scoring == "steps",
        ),
        summaries=summaries,
        continuations=continuations,
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


def create_app(
    settings: Settings | None = None,
    engines: Engines | None = None,
    engine_factory: EngineFactory = build_engines,
) -> FastAPI:
    """Build the app. With `engines` given (tests share one set, or fakes), the lifespan loads none
    and leaves them open on exit: they belong to the caller."""
    settings = settings or Settings()
    loader: Loader[Engines] = Loader("the engines", "engines")
    # Read before anything starts: a broken calibration file is a configuration error, not a 500 later.
    fitted = load_fitted(settings)
    keys = ApiKeys.of(settings.api_keys, settings.api_keys_file)
    admin_keys = ApiKeys.of(settings.admin_keys, settings.admin_keys_file)
    audit_url = database_url(settings.trace_db, settings.data_dir)  # a bad URL fails the start, not a request
    limits = RateLimits(settings.rate_limit_requests_per_minute, settings.rate_limit_reasoning_tokens_per_minute)
    if not keys.enabled and settings.host not in LOOPBACK:
        log.warning(
            "NO API KEYS: the service listens on %s and anyone who can reach it may run N=%d requests; "
            "set BON_API_KEYS or BON_API_KEYS_FILE, or listen on 127.0.0.1",
            settings.host,
            settings.max_n,
        )
    log.info("confidence calibration: %s", fitted.source or "none (confidence is the vote share)")

    def serve_with(loaded: Engines) -> None:
        app.state.policy = request_policy(settings, loaded.generator_format)
        app.state.solve_service = build_solve_service(
            loaded, settings, app.state.metrics, fitted, limits, app.state.audit
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        app.state.audit = writer = build_audit_writer(audit_url, settings, audit_metrics)
        if writer is not None:
            writer.start()
            if not await writer.started(settings.trace_timeout_s):
                log.error("the audit store is not reachable; answers are buffered until it is")
        if engines is not None:
            loader.use(engines, serve_with)
        else:
            loader.start(lambda: engine_factory(settings), serve_with)
        try:
            yield
        finally:
            # The requests in flight have drained (the server waits for them before this runs):
            # their records are written before the engines close.
            if writer is not None:
                await writer.close(settings.trace_flush_s)
            app.state.audit = None
            await loader.close(None if engines is not None else Engines.close)

    app = FastAPI(
        title="Best-of-N verification service",
        version="0.1.0",
        summary="Samples N chains of thought, scores every step with a process reward model, returns the best "
        "answer with a summary of the hidden reasoning.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Until the engines are up the generator's format is unknown; requests are checked against the
    # settings (and answered 503), and the format's budgets apply once it is loaded.
    app.state.policy = request_policy(settings, GeneratorFormat())
    app.state.engine_loader = loader
    app.state.api_keys, app.state.admin_keys = keys, admin_keys
    app.state.audit = None
    respond = install_error_handlers(app, {OPENAI_PREFIX: openai_error})
    if limits.enabled:
        install_key_headers(app, limits.headers)
    install_api_keys(app, keys, respond)
    install_request_id(app)  # outermost: a refused request has an id too
    install_openapi(app)
    app.include_router(health.router)
    app.include_router(solve.router)
    app.include_router(openai.router)
    app.include_router(admin.router)
    registry = install_metrics(app)
    app.state.metrics = PipelineMetrics(registry)
    audit_metrics = AuditMetrics(registry)
    return app
