"""The best-of-N pipeline: sample → split → score → aggregate → select → summarize.

The service returns an internal `SolveOutcome` that still holds the raw chains (kept server-side
for audit); the API layer turns it into the public response, which has no field for them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

from app.core.aggregate import aggregate
from app.core.select import ScoredChain, select
from app.engines.protocols import Generator, SamplingRequest, StepScorer
from app.errors import DeadlineExceeded, InvalidRequest, Overloaded, ProblemTooLong
from app.formats.reading import read_chain
from app.formats.spec import GeneratorFormat
from app.service.outcome import ChainCounts, ChainRecord, SolveOutcome, Timings, Usage
from app.service.params import MIN_CHAIN_TOKENS, SolveParams
from app.service.pipeline_metrics import PipelineMetrics
from app.service.scoring import score_some
from app.service.summaries import SummaryPrompts, SummaryWriter, Verdict

log = logging.getLogger(__name__)


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
    ) -> None:
        self._generator = generator
        self._scorer = scorer
        self._outcome_scorer = outcome_scorer
        self._format = generator_format
        self._timeout_s = timeout_s
        self._slots = asyncio.Semaphore(max_concurrent)
        self._metrics = metrics
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

    async def validate(self, params: SolveParams) -> SolveParams:
        """Check what only the engines can tell (the request policy has checked the rest). A budget
        the client did not set exactly is lowered to what the reward model can read."""
        if params.temperature == 0 and params.n > 1:
            raise InvalidRequest(
                f"temperature=0 samples greedily, so all n={params.n} chains would be the same: "
                "use n=1, or a temperature above 0",
                "temperature",
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
        return params

    async def solve(self, params: SolveParams, request_id: str) -> SolveOutcome:
        params = await self.validate(params)
        if self._slots.locked():
            raise Overloaded("too many requests in flight; retry shortly")
        async with self._slots:
            try:
                async with asyncio.timeout(self._timeout_s):
                    return await self._run(params, request_id)
            except TimeoutError as exc:
                raise DeadlineExceeded(f"the pipeline did not finish within {self._timeout_s:g} s") from exc

    async def _run(self, params: SolveParams, request_id: str) -> SolveOutcome:
        started = time.perf_counter()
        sampling = SamplingRequest(
            self.prompt_for(params),
            params.n,
            params.temperature,
            params.max_tokens,
            params.seed,
            templated=self._format.prompt.chat,
        )
        generation = await self._generator.generate(sampling, request_id)
        generated = time.perf_counter()
        reads = [read_chain(c.text, self._format) for c in generation.chains]
        # A chain cut off by its budget never finished its reasoning: it does not vote.
        finished = [c.finish_reason != "length" for c in generation.chains]
        steps = [r.steps for r in reads]

        use_orm = params.selection == "orm_max" and self._outcome_scorer is not None
        prm, orm = await asyncio.gather(
            score_some(self._scorer, params.problem, steps, finished, request_id),
            score_some(self._outcome_scorer, params.problem, steps, finished, f"{request_id}-orm")
            if use_orm and self._outcome_scorer is not None
            else _nothing(),
        )
        scored = time.perf_counter()

        # A chain votes when it finished, reached an answer and was read by the reward models:
        # an unverified chain has no place in a verified vote.
        verified = [bool(prm.per_chain[i]) and (orm is None or bool(orm.per_chain[i])) for i in range(len(reads))]
        records = [
            ChainRecord(
                text=chain.text,
                steps=read.steps,
                step_scores=prm.per_chain[i],
                chain_score=aggregate(prm.per_chain[i], params.aggregation),
                outcome_score=(orm.per_chain[i][-1] if orm.per_chain[i] else 0.0) if orm is not None else None,
                answer=read.answer,
                votes=finished[i] and verified[i] and read.answer is not None,
                finish_reason=chain.finish_reason,
                tokens=chain.tokens,
            )
            for i, (chain, read) in enumerate(zip(generation.chains, reads, strict=True))
        ]
        ballots = [ScoredChain(r.answer if r.votes else None, r.chain_score, r.outcome_score) for r in records]
        result = select(ballots, params.selection)
        winner = records[result.winner_index] if result.winner_index is not None else None
        verdict = Verdict(params.problem, result.answer, winner, records, params.n, result.confidence)
        summary = await self._summaries.write(verdict, params.summary, request_id)
        done = time.perf_counter()

        counts = ChainCounts(
            sampled=len(records),
            voted=sum(r.votes for r in records),
            truncated=finished.count(False),
            unscored=sum(
                f and not v and r.answer is not None for f, v, r in zip(finished, verified, reads, strict=True)
            ),
        )
        usage = Usage(
            prompt_tokens=generation.prompt_tokens,
            reasoning_tokens=sum(c.tokens for c in generation.chains),
            scored_tokens=prm.tokens_scored + (orm.tokens_scored if orm else 0),
        )
        timings = Timings(generated - started, scored - generated, done - scored, done - started)
        log.info(
            "solved n=%d selection=%s answer=%s confidence=%.3f voted=%d truncated=%d in %.3fs",
            params.n,
            params.selection,
            result.answer,
            result.confidence,
            counts.voted,
            counts.truncated,
            timings.total_s,
        )
        outcome = SolveOutcome(
            request_id=request_id,
            params=params,
            answer=result.answer,
            summary=summary,
            confidence=result.confidence,
            clusters=result.clusters,
            winner_step_scores=winner.step_scores if winner else [],
            counts=counts,
            usage=usage,
            timings=timings,
            chains=records,
        )
        self._metrics.observe(outcome)
        return outcome


async def _nothing() -> None:
    return None
