"""Prometheus metrics of the pipeline, and the request id carried by every log line."""

from __future__ import annotations

import contextvars
import logging
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram

if TYPE_CHECKING:
    from app.service.solve import Usage

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_STAGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class PipelineMetrics:
    """Per-stage latency and volume counters, registered on one registry (one per app)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.stage_seconds = Histogram(
            "bon_stage_seconds", "Latency of one pipeline stage.", ["stage"], registry=registry, buckets=_STAGE_BUCKETS
        )
        self.chains = Counter("bon_chains_sampled", "Chains sampled from the generator.", registry=registry)
        self.generated_tokens = Counter("bon_tokens_generated", "Reasoning tokens generated.", registry=registry)
        self.scored_tokens = Counter("bon_tokens_scored", "Tokens read by the reward models.", registry=registry)

    def observe(self, generate_s: float, score_s: float, select_s: float, n: int, usage: Usage) -> None:
        self.stage_seconds.labels("generate").observe(generate_s)
        self.stage_seconds.labels("score").observe(score_s)
        self.stage_seconds.labels("select").observe(select_s)
        self.chains.inc(n)
        self.generated_tokens.inc(usage.reasoning_tokens)
        self.scored_tokens.inc(usage.scored_tokens)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("app")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = True
