"""`Run`: one request's work in flight, what every stage of it reads and writes.

It holds the request's parameters, its chains (`ChainBook`), the live scorers that read them, the
clock and the sink its events go to. The two drivers (`app/service/drivers.py`) feed it the
generator's deltas; the verdict (`app/service/verdict.py`) reads what it leaves.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, replace

from app.checks.verdicts import first_failure
from app.core.adaptive import AdaptiveSearch, SearchTally
from app.core.aggregate import aggregate
from app.core.schedule import RunSchedule
from app.core.select import ScoredChain, select
from app.core.votes import ABORTED, TRUNCATED, casts_a_vote, heeding
from app.engines.chain_sampler import all_chains
from app.engines.container import Engines
from app.engines.notes import Notes, judged
from app.engines.protocols import ChainDelta, ChainSampler, SamplingRequest, ScoresSteps, StepScores
from app.errors import ContextRefused
from app.service.chain_book import ChainBook, ChainUpdate
from app.service.events import Progress, SolveEvent
from app.service.kept import KeptSearch
from app.service.live_scoring import LiveScorer
from app.service.outcome import PruneEvent, StepNode
from app.service.params import SolveParams
from app.service.prompting import prompt_for
from app.service.step_checks import CheckedScorer, RequestChecks
from app.tools.belt import ToolBelt

NO_NOTE_TEMPLATE = "the generator's format says no way to write a note into a chain (its 'note' template)"
PROGRESS_INTERVAL_S = 0.25  # between progress events while nothing finishes
PROGRESS_GAP_S = 0.05  # at least this between two progress events

Emit = Callable[[SolveEvent | BaseException], None]


def progress_due(since_s: float, a_chain_finished: bool) -> bool:
    """Whether a progress event is due, `since_s` after the last: a chain's finish is news, but
    chains decoding in lockstep finish in bursts."""
    return since_s >= PROGRESS_INTERVAL_S or (a_chain_finished and since_s >= PROGRESS_GAP_S)


@dataclass(frozen=True, slots=True)
class Scored:
    """What a driver leaves for the verdict: the started chains' final scores, when decoding and
    scoring ended, and what the search spent (None: the fixed strategy, unbudgeted)."""

    launched: int
    prm: StepScores
    orm: StepScores | None
    generated_at: float
    scored_at: float
    tally: SearchTally | None = None
    prunes: tuple[PruneEvent, ...] = ()
    tree: tuple[StepNode, ...] = ()  # a step-level search's, its node ids after the earlier runs' ones


@dataclass(frozen=True, slots=True)
class RunMode:
    """How a run's chains reach it and who watches them. `schedule`: the driver (and the fixed
    strategy's schedule, `app/core/schedule.py`) that samples them. `progress`: whether progress
    events are wanted. `stream_interval`: tokens a streamed chain's delta carries at least."""

    schedule: RunSchedule = "finished"
    progress: bool = True
    stream_interval: int | None = None
    notes: bool = False  # the chains read the client's notes (the format says how)

    @property
    def partial_scoring(self) -> bool:
        """Whether settled steps are scored while their chain decodes (the adaptive search needs it)."""
        return self.schedule in ("adaptive", "steps")


class Run:
    """`earlier`: the answer a continuation goes on from (its chains open the book)."""

    def __init__(
        self,
        params: SolveParams,
        prompt_tokens: int,
        request_id: str,
        engines: Engines,
        emit: Emit,
        mode: RunMode,
        earlier: KeptSearch | None = None,
    ) -> None:
        self.params, self.prompt_tokens, self.request_id = params, prompt_tokens, request_id
        self.engines, self.emit, self.earlier = engines, emit, earlier
        self.mode = mode
        # The engines see a fresh id for each continuation: the first run's requests may share it.
        self.engine_id = request_id if earlier is None else f"{request_id}-more{earlier.continued + 1}"
        self.book = ChainBook(params.n, engines.generator_format, earlier.chains if earlier else ())
        # The step checkers read what the PRM reads, and cap a failed step's score before anyone sees it.
        self.checks = (
            RequestChecks(params.checks, params.problem, engines.heavy_checks, self.engine_id, params.check_fail_cap)
            if params.checks
            else None
        )
        self.scorer: ScoresSteps = CheckedScorer(engines.scorer, self.checks) if self.checks else engines.scorer
        self.prm = LiveScorer(self.scorer, params.problem, params.n, self.engine_id, partial=mode.partial_scoring)
        self.orm = self._outcome_scorer()
        fmt = engines.generator_format
        self.tools = ToolBelt(params.tools, engines.tools, fmt, params.max_tool_calls) if params.tools else None
        self.notes = Notes(fmt.written_note, fmt.step_separator, params.notes) if mode.notes else None
        self.started = self._last_progress = time.perf_counter()

    def sampling(self) -> SamplingRequest:
        """The generator request for this run's chains."""
        templated = self.engines.generator_format.prompt.chat
        request = self.params.sampling_request(prompt_for(self.params, self.engines), templated)
        return replace(request, stream_interval=self.mode.stream_interval)

    def chains(self) -> AsyncGenerator[ChainDelta, None]:
        """All n chains at once, their deltas interleaved (with the tools interjecting and the
        client's notes read, if any)."""
        generator = self.engines.generator
        if self.tools is None and self.notes is None:
            return generator.stream(self.sampling(), self.engine_id)
        return all_chains(self.sampler(), self.params.n)

    def sampler(self) -> ChainSampler:
        """Chains to launch and abort one at a time (the adaptive search's)."""
        return self.engines.generator.sampler(self.sampling(), self.engine_id, self.tools, self.notes)

    def add_note(self, note: str) -> int:
        """A client's note for every chain still running (and every chain started after it); how
        many notes the request has now. A progress event says so at once."""
        if self.notes is None:
            raise ContextRefused(self._why_no_notes())
        count = self.notes.add(note)
        self.report()
        return count

    def _why_no_notes(self) -> str:
        if self.engines.generator_format.note is None:
            return NO_NOTE_TEMPLATE
        return f"a {self.params.strategy} search's chains take no notes: only sampled chains (fixed, adaptive) do"

    def _outcome_scorer(self) -> LiveScorer | None:
        """The outcome model reads whole chains, and only for `orm_max`."""
        if self.params.selection != "orm_max" or self.engines.outcome_scorer is None:
            return None
        return LiveScorer(
            self.engines.outcome_scorer, self.params.problem, self.params.n, f"{self.engine_id}-orm", partial=False
        )

    def take(self, delta: ChainDelta) -> ChainUpdate:
        """A delta into the book; a step it settles goes to the PRM, a chain it ends to both
        reward models."""
        update = self.book.take(delta)
        if update.settled is not None:
            self.prm.update(delta.index, update.settled)
        elif update.ended:
            self.prm.finish(delta.index, update.final)
            if self.orm is not None:
                self.orm.finish(delta.index, update.final)
        return update

    def close_unfinished(self, launched: int) -> None:
        """Chains with no end yet are ended unscored (see `ChainBook.close_unfinished`)."""
        for i in self.book.close_unfinished(launched):
            self.prm.finish(i, None)
            if self.orm is not None:
                self.orm.finish(i, None)

    async def final_scores(self) -> tuple[StepScores, StepScores | None]:
        """Every chain's final scores, once all have ended and been read."""
        prm = await self.prm.result()
        return prm, await self.orm.result() if self.orm is not None else None

    def elapsed_s(self) -> float:
        return time.perf_counter() - self.started

    def report_if_due(self, a_chain_ended: bool, search: AdaptiveSearch | None = None) -> None:
        now = time.perf_counter()
        if self.mode.progress and progress_due(now - self._last_progress, a_chain_ended):
            self.emit(self.progress(search))
            self._last_progress = now

    def report_progress(self, progress: Callable[[], Progress]) -> None:
        """A progress event the driver builds itself (a step-level search's), built only when wanted."""
        if self.mode.progress:
            self.emit(progress())

    def report(self, search: AdaptiveSearch | None = None) -> None:
        """Progress now (every chain read: the vote as it will stand)."""
        if self.mode.progress:
            self.emit(self.progress(search))

    def vetoed(self, steps: Sequence[str]) -> bool:
        """Whether a step checker found one of these steps false (as far as they were checked)."""
        return self.checks is not None and first_failure(self.checks.known(steps)) is not None

    def progress(self, search: AdaptiveSearch | None = None) -> Progress:
        ballots, truncated, aborted, ended, vetoed = [], 0, 0, 0, 0
        for i, reason in enumerate(self.book.finish):
            read = self.book.ended_read(i)
            if reason is None or read is None:
                continue
            ended += 1
            truncated += reason == TRUNCATED
            aborted += reason == ABORTED
            vetoed += self.vetoed(judged(read.steps, self.book.notes[i]))
            scores = self.prm.final_scores(i) or []
            outcome = self.orm.final_scores(i) if self.orm is not None else None
            if casts_a_vote(reason, read.answer, scores, outcome, self.orm is not None):
                score = aggregate(judged(scores, self.book.notes[i]), self.params.aggregation)
                ballots.append((i, ScoredChain(read.answer, score, outcome[-1] if outcome else None)))
        if self.notes is not None:  # the chains that read every note vote alone, where any did
            voting = heeding([True] * len(ballots), [self.book.notes_read(i) for i, _ in ballots], len(self.notes))
            ballots = [ballot for ballot, votes in zip(ballots, voting, strict=True) if votes]
        leading = select([b for _, b in ballots], self.params.selection) if ballots else None
        return Progress(
            chains_running=search.running if search is not None else len(self.book.finish) - ended,
            chains_finished=ended - truncated - aborted,
            chains_truncated=truncated,
            steps_scored=self.prm.steps_scored,
            tokens=sum(self.book.tokens),
            leading_answer=leading.answer if leading else None,
            leading_share=leading.confidence if leading else 0.0,
            elapsed_s=self.elapsed_s(),
            chains_pruned=search.tally.pruned if search is not None else 0,
            stop_reason=search.tally.stop_reason if search is not None else None,
            chains_vetoed=vetoed,
            notes=len(self.notes) if self.notes is not None else 0,
            chains_reached=self._chains_reached(),
        )

    def _chains_reached(self) -> int:
        """Chains started that have read every note so far."""
        if self.notes is None or not len(self.notes):
            return 0
        started = [i for i, text in enumerate(self.book.texts) if text or self.book.finish[i] is not None]
        return sum(self.book.notes_read(i) >= len(self.notes) for i in started)

    async def aclose(self) -> None:
        await self.prm.aclose()
        if self.orm is not None:
            await self.orm.aclose()
