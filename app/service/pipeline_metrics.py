"""Prometheus metrics of the pipeline: per-stage latency, chains and tokens."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from app.service.outcome import SolveOutcome

_STAGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class PipelineMetrics:
    """Registered on the app's own registry (one per app)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.stage_seconds = Histogram(
            "bon_stage_seconds", "Latency of one pipeline stage.", ["stage"], registry=registry, buckets=_STAGE_BUCKETS
        )
        self.chains = Counter("bon_chains_sampled", "Chains sampled from the generator.", registry=registry)
        self.generated_tokens = Counter("bon_tokens_generated", "Reasoning tokens generated.", registry=registry)
        self.scored_tokens = Counter("bon_tokens_scored", "Tokens read by the reward models.", registry=registry)
        self.summaries = Counter(
            "bon_summaries",
            "Summaries by what wrote them: rule, model, or a structured fallback (fallback_leak: the leak guard "
            "rejected a summary that repeated a hidden chain).",
            ["source"],
            registry=registry,
        )

    def summary_written(self, source: str) -> None:
        self.summaries.labels(source).inc()

    def observe(self, outcome: SolveOutcome) -> None:
        t, usage = outcome.timings, outcome.usage
        self.stage_seconds.labels("generate").observe(t.generate_s)
        self.stage_seconds.labels("score").observe(t.score_s)
        self.stage_seconds.labels("select").observe(t.select_s)
        self.chains.inc(outcome.params.n)
        self.generated_tokens.inc(usage.reasoning_tokens)
        self.scored_tokens.inc(usage.scored_tokens)
