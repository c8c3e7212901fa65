"""`SolveService`: admission, limits and the deadline around one request's run.

A request is checked against the engines, charged to its key, and given a slot; then its `Run`
samples the chains (one of the two drivers in `drivers.py`), the reward models score every step,
and `verdict` selects, summarizes and counts. The outcome still holds the raw chains (kept
server-side for audit); the API layer turns it into the public response, which has no field for
them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

from app.config import AdaptiveSettings, Settings
from app.core.adaptive import SearchRules
from app.core.confidence import Calibration
from app.core.particles import STEP_STRATEGIES, StepRules
from app.core.schedule import RunSchedule, StepScoring, schedule_for
from app.engines.container import Engines
from app.errors import ContextRefused, DeadlineExceeded, InvalidRequest, Overloaded, UnknownRequest
from app.fitted import Fitted
from app.formats.spec import GeneratorFormat
from app.service.admission import Admission
from app.service.continuation import Continuations, MoreChains
from app.service.drivers import sample_all, sample_batch, sample_controlled, search_for
from app.service.engine_checks import checked
from app.service.events import Finished, Progress, SolveEvent
from app.service.kept import KeptSearch
from app.service.outcome import SolveOutcome
from app.service.params import SolveParams
from app.service.pipeline_metrics import PipelineMetrics
from app.service.rate_limits import RateLimits
from app.service.run import NO_NOTE_TEMPLATE, Emit, Run, RunMode
from app.service.step_search import search_steps
from app.service.summaries import SummaryPrompts, SummaryWriter
from app.service.verdict import Judge, verdict

# Records an answer: (outcome, key id, is a continuation, may be continued). Must not block.
AuditSink = Callable[[SolveOutcome, str, bool, bool], None]


@dataclass(frozen=True, slots=True)
class ServiceLimits:
    """How long a request may take, how many run at once (and wait), and each key's allowance."""

    timeout_s: float
    admission: Admission
    rates: RateLimits | None = None

    @classmethod
    def of(cls, settings: Settings, fmt: GeneratorFormat, rates: RateLimits | None) -> ServiceLimits:
        """The settings' limits; a request's time is the format's where the settings leave it."""
        admission = Admission(settings.max_concurrent_requests, settings.max_queued_requests, settings.max_queue_wait_s)
        return cls(settings.request_timeout_s or fmt.timeout_s, admission, rates)


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """The server's rules for every request, from the settings and what was fitted."""

    search: SearchRules = field(default_factory=lambda: AdaptiveSettings().rules())
    calibration: Calibration | Sequence[Calibration] | None = None
    verified_threshold: float = 0.9
    step_scoring: StepScoring = "auto"  # the fixed strategy's schedule (`app/core/schedule.py`)
    stream_interval: int | None = None  # tokens in a streamed chain's delta, at least
    steps: StepRules = field(default_factory=StepRules)  # particle filtering's and beam search's

    @classmethod
    def of(cls, settings: Settings, fitted: Fitted | None) -> ServiceRules:
        """The settings' rules, under what was fitted for the reward model (`fitted`)."""
        return cls(
            search=(fitted.search if fitted else settings.adaptive).rules(),
            calibration=fitted.calibrations if fitted else None,
            verified_threshold=settings.verified_threshold,
            step_scoring=settings.step_scoring,
            stream_interval=settings.stream_interval,
            steps=settings.step_search.rules(),
        )


def controlled(params: SolveParams, earlier: KeptSearch | None) -> bool:
    """Whether the adaptive controller runs the request: the adaptive strategy, a budget of
    tokens or time to keep, or a continuation."""
    budgeted = params.max_reasoning_tokens is not None or params.max_latency_ms is not None
    return params.strategy == "adaptive" or budgeted or earlier is not None


@dataclass(frozen=True, slots=True)
class NoteAdded:
    """A note taken: how many the request has now, and how many of its chains are running to read it."""

    notes: int
    chains_running: int


class SolveService:
    def __init__(
        self,
        engines: Engines,
        limits: ServiceLimits,
        metrics: PipelineMetrics,
        *,
        rules: ServiceRules | None = None,
        summaries: SummaryWriter | None = None,
        continuations: Continuations | None = None,
        audit: AuditSink | None = None,
    ) -> None:
        self._engines = engines
        self._limits = limits
        self._rules = rules or ServiceRules()
        self._continuations = continuations  # None: answers are not kept, and cannot be continued
        self._audit = audit
        fmt = engines.generator_format
        # By default the generator writes the summaries, with the built-in prompts.
        summaries = summaries or SummaryWriter(fmt, engines.generator, fmt, SummaryPrompts(), metrics.summary_written)
        self._judge = Judge(summaries, metrics, self._rules.calibration, self._rules.verified_threshold)
        self._metrics = metrics
        metrics.watch(limits.admission)
        # The runs streaming now, and whose each is: a note may be added to one by its own key.
        self._running: dict[str, tuple[str, Run]] = {}

    async def solve(
        self,
        params: SolveParams,
        request_id: str,
        earlier: KeptSearch | None = None,
        continuable: bool = False,
        client: str = "-",
    ) -> SolveOutcome:
        """The outcome, with no events on the way (what the non-streaming routes answer)."""
        stream = self.stream(params, request_id, False, earlier, continuable, client)
        async with aclosing(stream) as events:
            async for event in events:
                if isinstance(event, Finished):
                    return event.outcome
        raise AssertionError("a solve ended without its outcome")

    async def stream(
        self,
        params: SolveParams,
        request_id: str,
        progress: bool = True,
        earlier: KeptSearch | None = None,
        continuable: bool = False,
        client: str = "-",
    ) -> AsyncGenerator[SolveEvent, None]:
        """The solve as events: a first `Progress` as soon as the request holds a slot (anything
        wrong with it is raised before), then progress while the chains decode (`progress`), the
        summary in pieces and the outcome. Closing the iterator, or cancelling the task reading
        it, stops every chain and scoring call still running and frees the slot. The outcome is
        kept to be continued when `continuable` (or when it continues `earlier`: see `resume`)."""
        answered = False
        # Where an engine has replicas, every call of this answer (continuations too) goes to one.
        engines = self._engines.pinned(request_id)
        try:
            params, prompt_tokens = await checked(params, engines)
            if self._limits.rates is not None:
                self._limits.rates.admit(client)
            asked_at = time.perf_counter()
            async with self._limits.admission.slot(client):
                self._metrics.queue_wait.observe(time.perf_counter() - asked_at)
                events: asyncio.Queue[SolveEvent | BaseException] = asyncio.Queue()
                run = self._run(params, prompt_tokens, request_id, engines, events.put_nowait, progress, earlier)
                task = asyncio.create_task(self._within_deadline(run))
                if progress:
                    self._running[request_id] = (client, run)
                try:
                    yield Progress(params.n, 0, 0, 0, 0, None, 0.0, 0.0)
                    while not answered:
                        event = await events.get()
                        if isinstance(event, BaseException):
                            raise event
                        if isinstance(event, Finished):
                            self._answered(event.outcome, earlier, continuable or earlier is not None, client)
                            answered = True
                        yield event
                finally:
                    if self._running.get(request_id, (None, None))[1] is run:
                        del self._running[request_id]
                    await self._stop(task, client, run)
        except Overloaded as refused:
            self._metrics.refused.labels(refused.reason).inc()
            raise
        finally:
            if earlier is not None and not answered and self._continuations is not None:
                self._continuations.release(request_id, earlier)  # a failed continuation loses nothing

    async def resume(self, request_id: str, more: MoreChains, client: str = "-") -> tuple[SolveParams, KeptSearch]:
        """An earlier answer's search, taken to go on (it is busy until `stream` ends), and the
        parameters of the run that continues it (see `Continuations.resume`)."""
        if self._continuations is None:
            raise UnknownRequest("this server keeps no answers to continue (BON_CONTINUE_TTL_S is 0)")
        if more.context is not None and self._engines.generator_format.note is None:
            raise InvalidRequest(NO_NOTE_TEMPLATE, "context")
        return await self._continuations.resume(request_id, more, client)

    def add_context(self, request_id: str, note: str, client: str = "-") -> NoteAdded:
        """A client's note for the chains of its own request, streaming now (see `Notes`)."""
        running = self._running.get(request_id)
        if running is None or running[0] != client:
            answered = self._continuations is not None and self._continuations.owner_of(request_id) == client
            if answered:
                raise ContextRefused(
                    f"request {request_id} has answered: POST /solve/{request_id}/continue with this context"
                )
            raise UnknownRequest(f"no request with id {request_id} is streaming here")
        run = running[1]
        return NoteAdded(run.add_note(note), sum(reason is None for reason in run.book.finish))

    def _run(
        self,
        params: SolveParams,
        prompt_tokens: int,
        request_id: str,
        engines: Engines,
        emit: Emit,
        progress: bool,
        earlier: KeptSearch | None,
    ) -> Run:
        schedule = self._schedule(params, progress, earlier)
        takes_notes = engines.generator_format.note is not None and schedule != "step_search"
        notes = takes_notes and (progress or bool(params.notes))
        mode = RunMode(schedule, progress, self._rules.stream_interval, notes)
        return Run(params, prompt_tokens, request_id, engines, emit, mode, earlier)

    def _schedule(self, params: SolveParams, progress: bool, earlier: KeptSearch | None) -> RunSchedule:
        """Which driver samples the request, and for a fixed one, its schedule."""
        if params.strategy in STEP_STRATEGIES:
            return "step_search"
        if controlled(params, earlier):
            return "adaptive"
        return schedule_for(
            self._rules.step_scoring,
            watched=progress,
            remote_reward=self._engines.remote_reward,
            tools=bool(params.tools),
        )

    async def _drive(self, run: Run) -> None:
        self._metrics.sampled.labels(run.mode.schedule).inc()
        if run.mode.schedule == "step_search":
            scored = await search_steps(run, self._rules.steps)
        elif run.mode.schedule == "adaptive":
            scored = await sample_controlled(run, search_for(run, self._rules.search))
        elif run.mode.schedule == "batch":
            scored = await sample_batch(run)
        else:
            scored = await sample_all(run)
        run.emit(Finished(await verdict(run, scored, self._judge)))

    def _answered(self, outcome: SolveOutcome, earlier: KeptSearch | None, continuable: bool, client: str) -> None:
        if continuable and self._continuations is not None:
            self._continuations.keep(outcome, earlier, client)
        if self._audit is not None:
            self._audit(outcome, client, earlier is not None, continuable)

    async def _stop(self, task: asyncio.Task[None], client: str, run: Run) -> None:
        """Cancel the run's task if it still runs, and charge the key what it decoded."""
        try:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        finally:  # even when a disconnect's cancellation cuts the wait short
            if self._limits.rates is not None:
                self._limits.rates.spend(client, run.book.tokens_decoded)

    async def _within_deadline(self, run: Run) -> None:
        # The deadline lives in this task, not in the generator that yields: a timeout must not
        # land in whatever code happens to be reading the stream. (The run's work starts here, so
        # a task cancelled before it runs leaves no coroutine unawaited.)
        timeout_s = self._limits.timeout_s
        try:
            async with asyncio.timeout(timeout_s):
                await self._drive(run)
        except TimeoutError:
            run.emit(DeadlineExceeded(f"the pipeline did not finish within {timeout_s:g} s"))
        except Exception as exc:  # handed to the reader, which raises it where the route can map it
            run.emit(exc)
