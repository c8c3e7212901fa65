"""The best-of-N pipeline: sample → split → score → aggregate → select → summarize, with the
steps scored while the chains still decode.

The service returns an internal `SolveOutcome` that still holds the raw chains (kept server-side
for audit); the API layer turns it into the public response, which has no field for them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace
from functools import partial

from app.config import AdaptiveSettings
from app.core.adaptive import (
    Abort,
    Action,
    AdaptiveSearch,
    Launch,
    SearchBudget,
    SearchRules,
    SearchTally,
    Stop,
    Strategy,
)
from app.core.aggregate import aggregate
from app.core.confidence import Calibration, confidence_of
from app.core.equivalence import AnswerKeys
from app.core.select import ScoredChain, select
from app.engines.chain_sampler import ABORTED
from app.engines.protocols import ChainDelta, Generator, SampledChain, SamplingRequest, StepScorer, StepScores
from app.errors import DeadlineExceeded, InvalidRequest, ProblemTooLong, UnknownRequest
from app.formats.reading import ReadChain, closes_a_step, read_chain, settled_steps
from app.formats.spec import GeneratorFormat
from app.service.admission import Admission
from app.service.events import Finished, Progress, SolveEvent, SummaryDelta, summary_pieces
from app.service.kept import KeptSearch, KeptSearches
from app.service.live_scoring import LiveScorer
from app.service.outcome import ChainCounts, ChainRecord, PruneEvent, SolveOutcome, Timings, Usage
from app.service.params import MIN_CHAIN_TOKENS, SolveParams
from app.service.pipeline_metrics import PipelineMetrics
from app.service.rate_limits import RateLimits
from app.service.summaries import SummaryPrompts, SummaryWriter, Verdict

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.25  # between progress events while nothing finishes
PROGRESS_GAP_S = 0.05  # at least this between two progress events


def progress_due(since_s: float, a_chain_finished: bool) -> bool:
    """Whether a progress event is due, `since_s` after the last: a chain's finish is news, but
    chains decoding in lockstep finish in bursts."""
    return since_s >= PROGRESS_INTERVAL_S or (a_chain_finished and since_s >= PROGRESS_GAP_S)


def ended_on_its_own(finish_reason: str | None) -> bool:
    """Neither cut off by its token budget (it never finished its reasoning) nor aborted (pruned,
    or stopped by the search): only such a chain is scored whole and may vote."""
    return finish_reason not in ("length", ABORTED)


@dataclass
class Decoded:
    """Reasoning tokens one run decoded so far: what a key's token limit is charged, whether the
    run answers, fails or is cancelled (a client that leaves mid-way has still spent them)."""

    tokens: int = 0


class _Chains:
    """What one request's chains have written so far, and how each ended."""

    def __init__(self, n: int, fmt: GeneratorFormat, decoded: Decoded) -> None:
        self._fmt = fmt
        self._decoded = decoded
        self.texts, self.tokens = [""] * n, [0] * n
        self.finish: list[str | None] = [None] * n
        self.reads: list[ReadChain | None] = [None] * n

    def take(self, delta: ChainDelta, prm: LiveScorer, orm: LiveScorer | None) -> list[str] | None:
        """Adds a delta: a step it settles goes to the PRM; a chain it ends goes to both reward
        models, with its final steps (returned; None when it is not to be scored)."""
        i, fmt = delta.index, self._fmt
        before = len(self.texts[i])
        self.texts[i] += delta.text
        self.tokens[i] += delta.tokens
        self._decoded.tokens += delta.tokens
        if delta.finish_reason is None:
            if closes_a_step(self.texts[i], before, fmt):
                prm.update(i, settled_steps(self.texts[i], fmt))
            return None
        self.finish[i] = delta.finish_reason
        self.reads[i] = read = read_chain(self.texts[i], fmt)
        final = read.steps if ended_on_its_own(delta.finish_reason) else None
        prm.finish(i, final)
        if orm is not None:
            orm.finish(i, final)
        return final

    def sampled(self, m: int) -> list[SampledChain]:
        return [SampledChain(self.texts[i], self.tokens[i], self.finish[i]) for i in range(m)]

    def read(self, m: int) -> list[ReadChain]:
        return [r or read_chain(t, self._fmt) for r, t in zip(self.reads[:m], self.texts[:m], strict=True)]


class SolveService:
    def __init__(
        self,
        generator: Generator,
        scorer: StepScorer,
        outcome_scorer: StepScorer | None,
        generator_format: GeneratorFormat,
        *,
        timeout_s: float,
        max_concurrent: int,
        metrics: PipelineMetrics,
        summaries: SummaryWriter | None = None,
        score_steps_while_decoding: bool = False,
        search_rules: SearchRules | None = None,
        calibration: Calibration | None = None,
        verified_threshold: float = 0.9,
        kept: KeptSearches | None = None,
        admission: Admission | None = None,
        limits: RateLimits | None = None,
        audit: Callable[[SolveOutcome, str, bool, bool], None] | None = None,
        recall: Callable[[str], Awaitable[KeptSearch | None]] | None = None,
    ) -> None:
        self._generator = generator
        self._scorer = scorer
        self._outcome_scorer = outcome_scorer
        self._format = generator_format
        self._timeout_s = timeout_s
        self._admission = admission or Admission(max_concurrent, max_queued=0, max_wait_s=0.0)
        self._limits = limits
        self._metrics = metrics
        self._partial_scoring = score_steps_while_decoding
        self._rules = search_rules or AdaptiveSettings().rules()
        self._calibration = calibration
        self._verified_threshold = verified_threshold
        self._kept = kept  # None: answers are not kept, and cannot be continued
        self._audit = audit  # records (outcome, key id, is a continuation, may be continued); must not block
        self._recall = recall  # an answer not kept here, from the audit store (None: not found)
        # By default the generator writes the summaries, with the built-in prompts.
        self._summaries = summaries or SummaryWriter(
            generator_format, generator, generator_format, SummaryPrompts(), metrics.summary_written
        )

    def prompt_for(self, params: SolveParams) -> str:
        """The generator's prompt. A plain format has no system turn: a system prompt is for chat."""
        prompt = self._format.prompt
        if not prompt.chat:
            return prompt.fill(params.problem)
        system = prompt.system if params.system is None else params.system
        turns = [("system", system)] if system else []
        return self._generator.chat_prompt([*turns, ("user", prompt.fill(params.problem))])

    async def validate(self, params: SolveParams) -> tuple[SolveParams, int]:
        """Check what only the engines can tell (the request policy has checked the rest): the
        parameters to run (a budget the client did not set exactly is lowered to what the reward
        model can read) and the prompt's token count."""
        if params.temperature == 0 and params.n > 1:
            raise InvalidRequest(
                f"temperature=0 samples greedily, so all n={params.n} chains would be the same: "
                "use n=1, or a temperature above 0",
                "temperature",
            )
        if params.strategy == "adaptive" and params.selection != "prm_weighted_vote":
            raise InvalidRequest(
                f"strategy 'adaptive' stops when the PRM-weighted vote is decided: selection must be "
                f"'prm_weighted_vote', not '{params.selection}'",
                "selection",
            )
        if params.selection == "orm_max" and self._outcome_scorer is None:
            raise InvalidRequest(
                "selection 'orm_max' needs an outcome reward model, and none is configured", "selection"
            )
        context = await self._generator.context_length()
        prompt_tokens = self._generator.count_tokens(self.prompt_for(params), templated=self._format.prompt.chat)
        if params.max_tokens >= context:
            raise InvalidRequest(
                f"max_tokens={params.max_tokens} must be below the model's context of {context} tokens", "max_tokens"
            )
        if prompt_tokens + params.max_tokens > context:
            raise ProblemTooLong(
                f"the problem takes {prompt_tokens} tokens as a prompt; with max_tokens={params.max_tokens} "
                f"that exceeds the model's context of {context} tokens (at most "
                f"{context - params.max_tokens} prompt tokens at this max_tokens)"
            )
        # Checked before any chain is paid for: a chain the reward model cannot read cannot be verified.
        rooms = [await self._scorer.room(params.problem)]
        if params.selection == "orm_max" and self._outcome_scorer is not None:
            rooms.append(await self._outcome_scorer.room(params.problem))
        room = min(rooms)
        # A budget the client did not set exactly is lowered to the reward model's room (a thinking
        # model's default budget is often twice a PRM's context); the generator's own context is not
        # bargained with: a prompt too long for it is an error whoever chose the budget.
        if params.max_tokens_flexible and MIN_CHAIN_TOKENS <= room < params.max_tokens:
            params = replace(params, max_tokens=room)
        if params.max_tokens > room:
            raise InvalidRequest(
                f"the reward model can read {room} tokens of a chain after this problem's prompt; "
                f"max_tokens={params.max_tokens} would not fit: lower it to {max(room, 0)} or less",
                "max_tokens",
            )
        return params, prompt_tokens

    async def solve(
        self,
        params: SolveParams,
        request_id: str,
        kept: KeptSearch | None = None,
        keep: bool = False,
        client: str = "-",
    ) -> SolveOutcome:
        """The outcome, with no events on the way (what the non-streaming routes answer)."""
        stream = self.stream(params, request_id, report=False, kept=kept, keep=keep, client=client)
        async with aclosing(stream) as events:
            async for event in events:
                if isinstance(event, Finished):
                    return event.outcome
        raise AssertionError("a solve ended without its outcome")

    async def stream(
        self,
        params: SolveParams,
        request_id: str,
        report: bool = True,
        kept: KeptSearch | None = None,
        keep: bool = False,
        client: str = "-",
    ) -> AsyncGenerator[SolveEvent, None]:
        """The solve as events: a first `Progress` as soon as the request holds a slot (anything
        wrong with it is raised before), then progress while the chains decode (`report`), the
        summary in pieces and the outcome. Closing the iterator, or cancelling the task reading
        it, stops every chain and scoring call still running and frees the slot. The outcome is
        kept to be continued when `keep` is set (or it continues `kept`: see `resume`)."""
        finished: SolveOutcome | None = None
        try:
            params, prompt_tokens = await self.validate(params)
            if self._limits is not None:
                self._limits.admit(client)
            async with self._admission.slot(client):
                events: asyncio.Queue[SolveEvent | BaseException] = asyncio.Queue()
                emit = events.put_nowait
                budgeted = params.max_reasoning_tokens is not None or params.max_latency_ms is not None
                adaptive = params.strategy == "adaptive" or budgeted or kept is not None
                run_it = partial(self._run_adaptive, kept=kept) if adaptive else self._run
                decoded = Decoded()
                work = partial(run_it, params, prompt_tokens, request_id, report, emit, decoded=decoded)
                run = asyncio.create_task(self._within_deadline(work, emit))
                try:
                    yield Progress(params.n, 0, 0, 0, 0, None, 0.0, 0.0)
                    while True:
                        event = await events.get()
                        if isinstance(event, BaseException):
                            raise event
                        if not isinstance(event, Finished):
                            yield event
                            continue
                        finished = event.outcome
                        continuable = keep or kept is not None
                        if continuable:
                            self._keep(finished, kept, client)
                        if self._audit is not None:
                            self._audit(finished, client, kept is not None, continuable)
                        yield event
                        return
                finally:
                    try:
                        run.cancel()
                        await asyncio.gather(run, return_exceptions=True)
                    finally:  # even when a disconnect's cancellation cuts the wait short
                        if self._limits is not None:
                            self._limits.spend(client, decoded.tokens)
        finally:
            if kept is not None and finished is None and self._kept is not None:
                self._kept.release(request_id, kept)  # a failed continuation loses nothing

    async def resume(
        self,
        request_id: str,
        more_chains: int | None,
        max_reasoning_tokens: int | None,
        max_latency_ms: float | None,
        strategy: Strategy | None,
        client: str = "-",
    ) -> tuple[SolveParams, KeptSearch]:
        """An earlier answer's search, taken to go on (it is busy until `stream` ends), and the
        parameters of the run that continues it: `more_chains` more at most (as many as the first
        run's n by default), under the same problem, sampling and selection; the new chains' seeds
        follow the earlier ones'. An answer this process does not hold is recalled (from the audit
        store: after a restart, or given by another replica)."""
        if self._kept is None:
            raise UnknownRequest("this server keeps no answers to continue (BON_CONTINUE_TTL_S is 0)")
        # Another key's answer is not this key's to see, or to spend on: as if unknown, and untouched.
        unknown = UnknownRequest(f"no answer with request id {request_id} is kept here")
        if self._kept.owner_of(request_id) not in (None, client):
            raise unknown
        try:
            kept = self._kept.take(request_id)
        except UnknownRequest:
            recalled = await self._recall(request_id) if self._recall is not None else None
            if recalled is None:
                raise
            if recalled.owner != client:
                raise unknown from None
            kept = self._kept.adopt(request_id, recalled)
        first = kept.params
        more = more_chains or first.n
        problem = None
        if first.temperature == 0:
            problem = "a greedy answer (temperature 0) would only sample the same chain again"
        elif len(kept.chains) + more > self._kept.max_chains:
            problem = (
                f"{len(kept.chains)} chains are kept and {more} more would pass the "
                f"{self._kept.max_chains} one answer may have (BON_CONTINUE_MAX_CHAINS)"
            )
        if problem is not None:
            self._kept.release(request_id, kept)
            raise InvalidRequest(f"request {request_id} cannot think longer: {problem}", "budget")
        seed = None if first.seed is None else first.seed + len(kept.chains)
        params = replace(
            first,
            n=more,
            seed=seed,
            strategy=strategy or first.strategy,
            max_reasoning_tokens=max_reasoning_tokens,
            max_latency_ms=max_latency_ms,
        )
        return params, kept

    def _keep(self, outcome: SolveOutcome, kept: KeptSearch | None, client: str) -> None:
        if self._kept is None:
            return
        first = kept.params if kept is not None else outcome.params
        continued = kept.continued + 1 if kept is not None else 0
        state = KeptSearch(
            first, tuple(outcome.chains), outcome.usage, outcome.search, continued, outcome.prunes, client
        )
        self._kept.keep(outcome.request_id, state, continued=kept is not None)

    async def _within_deadline(
        self, work: Callable[[], Awaitable[None]], emit: Callable[[SolveEvent | BaseException], None]
    ) -> None:
        # The deadline lives in this task, not in the generator that yields: a timeout must not
        # land in whatever code happens to be reading the stream. (`work` is started here, so a
        # task cancelled before it runs leaves no coroutine unawaited.)
        try:
            async with asyncio.timeout(self._timeout_s):
                await work()
        except TimeoutError:
            emit(DeadlineExceeded(f"the pipeline did not finish within {self._timeout_s:g} s"))
        except Exception as exc:  # handed to the reader, which raises it where the route can map it
            emit(exc)

    async def _run(
        self,
        params: SolveParams,
        prompt_tokens: int,
        request_id: str,
        report: bool,
        emit: Callable[[SolveEvent | BaseException], None],
        decoded: Decoded,
    ) -> None:
        started = time.perf_counter()
        sampling = self._sampling(params)
        n = params.n
        prm = LiveScorer(self._scorer, params.problem, n, request_id, partial=self._partial_scoring)
        orm = self._outcome_scoring(params, request_id)
        chains = _Chains(n, self._format, decoded)
        last_report = started
        try:
            async with aclosing(self._generator.stream(sampling, request_id)) as deltas:
                async for delta in deltas:
                    chains.take(delta, prm, orm)
                    now = time.perf_counter()
                    if report and progress_due(now - last_report, delta.finish_reason is not None):
                        emit(self._progress(params, chains, prm, orm, now - started))
                        last_report = now
            generated = time.perf_counter()
            prm_scores = await prm.result()
            orm_scores = await orm.result() if orm is not None else None
            if report:  # every chain read: the vote as it will stand
                emit(self._progress(params, chains, prm, orm, time.perf_counter() - started))
        finally:
            await prm.aclose()
            if orm is not None:
                await orm.aclose()
        scored = time.perf_counter()
        outcome = await self._select_and_summarize(
            params,
            request_id,
            chains.sampled(n),
            chains.read(n),
            prm_scores,
            orm_scores,
            prompt_tokens,
            (started, generated, scored),
            emit,
        )
        emit(Finished(outcome))

    def _outcome_scoring(self, params: SolveParams, request_id: str) -> LiveScorer | None:
        """The outcome model's scorer for `orm_max` (whole chains only), else none."""
        if params.selection != "orm_max" or self._outcome_scorer is None:
            return None
        return LiveScorer(self._outcome_scorer, params.problem, params.n, f"{request_id}-orm", partial=False)

    def _sampling(self, params: SolveParams) -> SamplingRequest:
        return SamplingRequest(
            self.prompt_for(params),
            params.n,
            params.temperature,
            params.max_tokens,
            params.seed,
            templated=self._format.prompt.chat,
        )

    async def _run_adaptive(
        self,
        params: SolveParams,
        prompt_tokens: int,
        request_id: str,
        report: bool,
        emit: Callable[[SolveEvent | BaseException], None],
        decoded: Decoded,
        kept: KeptSearch | None = None,
    ) -> None:
        """At most `params.n` chains, started in waves and cut or stopped as `AdaptiveSearch`
        decides: every settled step is scored while its chain decodes (pruning needs it). The fixed
        strategy runs here too when it has a token or latency budget to keep, and so does a
        continuation: the `kept` chains vote in the final selection beside the new ones."""
        started = time.perf_counter()
        n = params.n
        # The fixed strategy under a budget: all n chains at once, none cut, only the budget stops.
        rules = self._rules if params.strategy == "adaptive" else SearchRules(None, None, wave=n)
        search = AdaptiveSearch(
            SearchBudget(n, params.max_reasoning_tokens, params.max_latency_ms), rules.prune, rules.stop, rules.wave
        )
        keys = AnswerKeys()
        # A continuation's kept chains vote in the final selection, not in the stop rule: an answer
        # whose vote was decided would otherwise stop again at the first new chain, and thinking
        # longer must bring a decided vote of its own. The engines see a fresh id: the first run's
        # requests may share the outcome's id.
        engine_id = request_id if kept is None else f"{request_id}-more{kept.continued + 1}"
        sampler = self._generator.sampler(self._sampling(params), engine_id)
        chains = _Chains(n, self._format, decoded)
        finish = chains.finish
        prunes: list[PruneEvent] = []

        def act(actions: list[Action]) -> None:
            for action in actions:
                if isinstance(action, Launch):
                    sampler.launch(action.count)
                elif isinstance(action, Abort):
                    sampler.abort(action.index)
                elif isinstance(action, Stop):
                    for i in range(sampler.launched):
                        if finish[i] is None:
                            sampler.abort(i)

        def on_scores(i: int, steps: Sequence[str], scores: list[float], final: bool) -> None:
            score = aggregate(scores, params.aggregation)
            if not final:
                if finish[i] is None:  # a chain that has ended is judged by its final steps only
                    actions = search.on_scored(i, score, len(steps))
                    prunes.extend(
                        PruneEvent(a.index, len(steps), score, chains.tokens[a.index])
                        for a in actions
                        if isinstance(a, Abort)
                    )
                    act(actions)
                return
            read = chains.reads[i]
            answer = read.answer if read is not None and votes(finish[i], read.answer, scores, None, False) else None
            act(search.on_finished(i, None if answer is None else keys.key(answer), score, truncated=False))

        prm = LiveScorer(self._scorer, params.problem, n, engine_id, partial=True, on_scores=on_scores)
        orm = self._outcome_scoring(params, engine_id)  # orm_max under a budget (adaptive votes with the PRM)
        last_report = started
        try:
            act(search.begin())
            while search.running and not search.stopped:
                async for delta in sampler:
                    now = time.perf_counter()
                    act(search.on_tokens(delta.index, delta.tokens, (now - started) * 1000))
                    final = chains.take(delta, prm, orm)
                    ended = delta.finish_reason
                    if ended is not None and ended != ABORTED and not final:  # nothing to score: no vote
                        act(search.on_finished(delta.index, None, 0.0, truncated=ended == "length"))
                    if report and progress_due(now - last_report, ended is not None):
                        emit(self._progress(params, chains, prm, orm, now - started, search))
                        last_report = now
                await prm.settled()  # the last finals' scores may start more chains, or stop
            generated = time.perf_counter()
            for i in range(n):  # stopped while their last deltas were unread, or never started
                if finish[i] is None:
                    if i < sampler.launched:
                        finish[i] = ABORTED
                    prm.finish(i, None)
                    if orm is not None:
                        orm.finish(i, None)
            whole = await prm.result()
            outcome_whole = await orm.result() if orm is not None else None
            if report:
                emit(self._progress(params, chains, prm, orm, time.perf_counter() - started, search))
        finally:
            await sampler.aclose()
            await prm.aclose()
            if orm is not None:
                await orm.aclose()
        scored_at = time.perf_counter()
        m = sampler.launched
        prm_scores = _launched_only(whole, m)
        orm_scores = _launched_only(outcome_whole, m) if outcome_whole is not None else None
        outcome = await self._select_and_summarize(
            params,
            request_id,
            chains.sampled(m),
            chains.read(m),
            prm_scores,
            orm_scores,
            prompt_tokens,
            (started, generated, scored_at),
            emit,
            search.tally,
            kept,
            tuple(prunes),
        )
        emit(Finished(outcome))

    def _progress(
        self,
        params: SolveParams,
        chains: _Chains,
        prm: LiveScorer,
        orm: LiveScorer | None,
        elapsed_s: float,
        search: AdaptiveSearch | None = None,
    ) -> Progress:
        ballots, truncated, aborted, done = [], 0, 0, 0
        for i, reason in enumerate(chains.finish):
            read = chains.reads[i]
            if reason is None or read is None:
                continue
            done += 1
            truncated += reason == "length"
            aborted += reason == ABORTED
            scores = prm.final_scores(i) or []
            outcome = orm.final_scores(i) if orm is not None else None
            if votes(reason, read.answer, scores, outcome, orm is not None):
                score = aggregate(scores, params.aggregation)
                ballots.append(ScoredChain(read.answer, score, outcome[-1] if outcome else None))
        leading = select(ballots, params.selection) if ballots else None
        return Progress(
            chains_running=search.running if search is not None else len(chains.finish) - done,
            chains_finished=done - truncated - aborted,
            chains_truncated=truncated,
            steps_scored=prm.steps_scored,
            tokens=sum(chains.tokens),
            leading_answer=leading.answer if leading else None,
            leading_share=leading.confidence if leading else 0.0,
            elapsed_s=elapsed_s,
            chains_pruned=search.tally.pruned if search is not None else 0,
            stop_reason=search.tally.stop_reason if search is not None else None,
        )

    async def _select_and_summarize(
        self,
        params: SolveParams,
        request_id: str,
        chains: list[SampledChain],
        reads: list[ReadChain],
        prm: StepScores,
        orm: StepScores | None,
        prompt_tokens: int,
        clock: tuple[float, float, float],
        emit: Callable[[SolveEvent | BaseException], None],
        search: SearchTally | None = None,
        kept: KeptSearch | None = None,
        prunes: tuple[PruneEvent, ...] = (),
    ) -> SolveOutcome:
        """The vote over every chain (a continuation's `kept` ones first), its confidence and
        summary, and what the request cost (a continuation's: every run of it together)."""
        started, generated, scored = clock
        new = [
            ChainRecord(
                text=chain.text,
                steps=read.steps,
                step_scores=prm.per_chain[i],
                chain_score=aggregate(prm.per_chain[i], params.aggregation),
                outcome_score=(orm.per_chain[i][-1] if orm.per_chain[i] else 0.0) if orm is not None else None,
                answer=read.answer,
                votes=votes(
                    chain.finish_reason,
                    read.answer,
                    prm.per_chain[i],
                    orm.per_chain[i] if orm else None,
                    orm is not None,
                ),
                finish_reason=chain.finish_reason,
                tokens=chain.tokens,
            )
            for i, (chain, read) in enumerate(zip(chains, reads, strict=True))
        ]
        records = [*(kept.chains if kept is not None else ()), *new]
        if kept is not None:  # the new chains' indices follow the kept ones'
            prunes = (*kept.prunes, *(replace(p, index=p.index + len(kept.chains)) for p in prunes))
            params = replace(params, n=len(records))
            search = _together(kept.search or _tally_of(kept.chains), search)
        ballots = [ScoredChain(r.answer if r.votes else None, r.chain_score, r.outcome_score) for r in records]
        result = select(ballots, params.selection)
        in_domain = self._format.in_domain(params.problem)
        confidence = confidence_of(ballots, result, self._calibration, params.aggregation, in_domain)
        verified = result.answer is not None and confidence.value >= self._verified_threshold
        winner = records[result.winner_index] if result.winner_index is not None else None
        verdict = Verdict(params.problem, result.answer, winner, records, len(records), confidence.value)
        summary = await self._summaries.write(verdict, params.summary, request_id)
        for piece in summary_pieces(summary):
            emit(SummaryDelta(piece))
        done = time.perf_counter()

        counts = ChainCounts(
            sampled=len(records),
            voted=sum(r.votes for r in records),
            truncated=sum(r.finish_reason == "length" for r in records),
            # Ended on its own with an answer, yet no vote: a reward model could not read it.
            unscored=sum(ended_on_its_own(r.finish_reason) and r.answer is not None and not r.votes for r in records),
        )
        # The metrics count this run's own work; the response, a continuation's every run together.
        scored_now = prm.tokens_scored + (orm.tokens_scored if orm else 0)
        this_run = Usage(prompt_tokens, sum(c.tokens for c in chains), scored_now)
        earlier = kept.usage if kept is not None else Usage(0, 0, 0)
        usage = replace(
            this_run,
            reasoning_tokens=earlier.reasoning_tokens + this_run.reasoning_tokens,
            scored_tokens=earlier.scored_tokens + this_run.scored_tokens,
        )
        timings = Timings(generated - started, scored - generated, done - scored, done - started)
        log.info(
            "solved n=%d selection=%s answer=%s confidence=%.3f verified=%s voted=%d truncated=%d in %.3fs",
            params.n,
            params.selection,
            result.answer,
            confidence.value,
            verified,
            counts.voted,
            counts.truncated,
            timings.total_s,
        )
        outcome = SolveOutcome(
            request_id=request_id,
            params=params,
            answer=result.answer,
            summary=summary,
            confidence=confidence.value,
            calibrated=confidence.calibrated,
            verified=verified,
            clusters=result.clusters,
            winner_step_scores=winner.step_scores if winner else [],
            counts=counts,
            usage=usage,
            timings=timings,
            chains=records,
            search=search,
            winner_index=result.winner_index,
            prunes=prunes,
        )
        self._metrics.observe(replace(outcome, params=replace(params, n=len(new)), usage=this_run))
        return outcome


def votes(
    finish_reason: str | None,
    answer: str | None,
    scores: Sequence[float],
    outcome_scores: Sequence[float] | None,
    with_outcome_model: bool,
) -> bool:
    """A chain votes when it finished on its own, reached an answer and was read by every reward
    model in use: an unverified chain has no place in a verified vote."""
    read = bool(scores) and (not with_outcome_model or bool(outcome_scores))
    return ended_on_its_own(finish_reason) and answer is not None and read


def _tally_of(chains: Sequence[ChainRecord]) -> SearchTally:
    """What a run without the controller (the fixed strategy) spent, read from its chains."""
    return SearchTally(
        started=len(chains),
        finished=sum(ended_on_its_own(c.finish_reason) for c in chains),
        truncated=sum(c.finish_reason == "length" for c in chains),
        reasoning_tokens=sum(c.tokens for c in chains),
    )


def _together(earlier: SearchTally | None, now: SearchTally | None) -> SearchTally | None:
    """What every run of a continued request spent; why the last one stopped."""
    if earlier is None or now is None:
        return now or earlier
    return SearchTally(
        started=earlier.started + now.started,
        pruned=earlier.pruned + now.pruned,
        finished=earlier.finished + now.finished,
        truncated=earlier.truncated + now.truncated,
        reasoning_tokens=earlier.reasoning_tokens + now.reasoning_tokens,
        stop_reason=now.stop_reason,
    )


def _launched_only(scores: StepScores, launched: int) -> StepScores:
    """The scores of the chains that were started (the scorer was sized for all it might be)."""
    unread = tuple(i for i in scores.unread if i < launched)
    return StepScores(scores.per_chain[:launched], scores.tokens_scored, unread, scores.tokens_cached)
