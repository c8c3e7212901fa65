"""Prometheus metrics of the pipeline: per-stage latency, chains and tokens, the search's cuts
and stops, admission's queue and refusals."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from app.service.admission import Admission
from app.service.outcome import SolveOutcome

_STAGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class PipelineMetrics:
    """Registered on the app's own registry (one per app)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.stage_seconds = Histogram(
            "bon_stage_seconds", "Latency of one pipeline stage.", ["stage"], registry=registry, buckets=_STAGE_BUCKETS
        )
        self.sampled = Counter(
            "bon_requests_sampled",
            "Requests by how their chains were sampled and scored: a fixed request's schedule (batch: one generator "
            "request and one reward call; finished: streamed, each chain scored as it ends; steps: each step as it "
            "settles), or the adaptive search's or a step-level search's own driver (BON_STEP_SCORING).",
            ["schedule"],
            registry=registry,
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
        self.pruned = Counter(
            "bon_chains_pruned",
            "Chains cut before they ended: by the adaptive search, or left behind by a step-level search.",
            registry=registry,
        )
        self.stops = Counter(
            "bon_search_stops", "How budgeted searches ended, by reason.", ["reason"], registry=registry
        )
        self.search_steps = Counter(
            "bon_search_steps",
            "Step-level searches' rounds (one step of every chain that goes on), by strategy.",
            ["strategy"],
            registry=registry,
        )
        self.search_branches = Counter(
            "bon_search_branches",
            "Step-level searches' generator requests, each extending one prefix one or more ways, by strategy.",
            ["strategy"],
            registry=registry,
        )
        self.step_checks = Counter(
            "bon_step_checks",
            "Steps read by the step checkers, by verdict and the checker that decided it (none: no checker could).",
            ["checker", "verdict"],
            registry=registry,
        )
        self.tool_calls = Counter(
            "bon_tool_calls",
            "Tool calls inside the hidden chains, by tool and how they ended (ok, error, limit, refused).",
            ["tool", "outcome"],
            registry=registry,
        )
        self.tool_cpu_seconds = Counter(
            "bon_tool_cpu_seconds", "CPU time the tools' calls spent, by tool.", ["tool"], registry=registry
        )
        self._admission_metrics(registry)

    def _admission_metrics(self, registry: CollectorRegistry) -> None:
        """Admission's: refusals, the wait for a slot, the queue and the free slots now."""
        self.refused = Counter(
            "bon_refused",
            "Requests answered 429, by reason: queue_full, wait_timeout, rate_requests, rate_tokens.",
            ["reason"],
            registry=registry,
        )
        self.queue_wait = Histogram(
            "bon_admission_wait_seconds",
            "How long admitted requests waited for a slot.",
            registry=registry,
            buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.queued = Gauge("bon_admission_queued", "Requests waiting for a slot now.", registry=registry)
        self.free_slots = Gauge("bon_admission_free_slots", "Slots free now (none: requests queue).", registry=registry)

    def watch(self, admission: Admission) -> None:
        """Read the queue's depth and the free slots from `admission` when scraped."""
        self.queued.set_function(lambda: admission.queued)
        self.free_slots.set_function(lambda: admission.free)

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
        self._count_checks(outcome)
        self._count_tool_calls(outcome)
        if outcome.search is not None:
            self.pruned.inc(outcome.search.pruned)
            if outcome.search.stop_reason is not None:
                self.stops.labels(outcome.search.stop_reason).inc()
            if outcome.search.steps:
                self.search_steps.labels(outcome.params.strategy).inc(outcome.search.steps)
                self.search_branches.labels(outcome.params.strategy).inc(outcome.search.branches)

    def _count_tool_calls(self, outcome: SolveOutcome) -> None:
        """This run's own chains' calls."""
        for chain in outcome.chains[len(outcome.chains) - outcome.params.n :]:
            for call in chain.tool_calls:
                self.tool_calls.labels(call.tool, call.result.outcome).inc()
                self.tool_cpu_seconds.labels(call.tool).inc(call.result.cpu_ms / 1000)

    def _count_checks(self, outcome: SolveOutcome) -> None:
        """This run's own chains' verdicts (a continuation's outcome holds the earlier ones too)."""
        if outcome.checks is None:
            return
        counts: dict[tuple[str, str], int] = {}
        for chain in outcome.chains[len(outcome.chains) - outcome.params.n :]:
            for check in chain.step_checks:
                label = (check.checker or "none", check.verdict)
                counts[label] = counts.get(label, 0) + 1
        for (checker, verdict), count in counts.items():
            self.step_checks.labels(checker, verdict).inc(count)
