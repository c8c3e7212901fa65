"""A `SolveService` on whatever engines a test has (fakes, or the session's real ones)."""

from __future__ import annotations

from dataclasses import replace

from prometheus_client import CollectorRegistry

from app.core.adaptive import SearchRules
from app.core.particles import StepRules
from app.core.schedule import StepScoring
from app.engines.container import Engines
from app.engines.protocols import Generator, StepScorer
from app.formats.spec import GeneratorFormat
from app.service.admission import Admission
from app.service.pipeline_metrics import PipelineMetrics
from app.service.rate_limits import RateLimits
from app.service.solve import ServiceLimits, ServiceRules, SolveService


def solve_service(
    generator: Generator,
    scorer: StepScorer,
    outcome_scorer: StepScorer | None,
    fmt: GeneratorFormat,
    *,
    timeout_s: float = 5.0,
    max_concurrent: int = 4,
    metrics: PipelineMetrics | None = None,
    search_rules: SearchRules | None = None,
    step_scoring: StepScoring = "finished",
    rates: RateLimits | None = None,
    step_rules: StepRules | None = None,
) -> SolveService:
    rules = ServiceRules(step_scoring=step_scoring, steps=step_rules or StepRules())
    if search_rules is not None:
        rules = replace(rules, search=search_rules)
    return SolveService(
        Engines(generator, scorer, outcome_scorer, fmt),
        ServiceLimits(timeout_s, Admission(max_concurrent, max_queued=0, max_wait_s=0.0), rates),
        metrics or PipelineMetrics(CollectorRegistry()),
        rules=rules,
    )
