"""The best-of-N pipeline: sample → split → score → aggregate → select → summarize.

The service returns an internal `SolveOutcome` that still holds the raw chains (kept server-side
for audit); the API layer turns it into the public response, which has no field for them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from app.core.aggregate import Aggregation, aggregate
from app.core.select import AnswerCluster, ScoredChain, Selection, select
from app.core.steps import extract_answer, split_steps
from app.descriptor import ModelDescriptor
from app.engines.protocols import Generator, SamplingRequest, StepScorer, StepScores
from app.errors import DeadlineExceeded, InvalidRequest, Overloaded, ProblemTooLong
from app.observability import PipelineMetrics
from app.summary import summarize_chain

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SolveParams:
    problem: str
    n: int
    temperature: float
    max_tokens: int
    seed: int | None
    aggregation: Aggregation
    selection: Selection


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """One sampled chain, as kept server-side. `text` is the hidden chain of thought."""

    text: str
    steps: list[str]
    step_scores: list[float]
    chain_score: float
    outcome_score: float | None
    answer: str | None
    tokens: int


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    reasoning_tokens: int
    scored_tokens: int


@dataclass(frozen=True, slots=True)
class Timings:
    generate_s: float
    score_s: float
    select_s: float
    total_s: float


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    request_id: str
    params: SolveParams
    answer: str | None
    summary: str
    confidence: float
    clusters: tuple[AnswerCluster, ...]
    winner_index: int | None
    winner_step_scores: list[float]
    usage: Usage
    timings: Timings
    chains: list[ChainRecord] = field(repr=False)  # hidden: never copied into a response


class SolveService:
    def __init__(
        self,
        generator: Generator,
        scorer: StepScorer,
        outcome_scorer: StepScorer | None,
        generator_descriptor: ModelDescriptor,
        *,
        max_n: int,
        timeout_s: float,
        max_concurrent: int,
        metrics: PipelineMetrics,
    ) -> None:
        self._generator = generator
        self._scorer = scorer
        self._outcome_scorer = outcome_scorer
        self._descriptor = generator_descriptor
        self._max_n = max_n
        self._timeout_s = timeout_s
        self._slots = asyncio.Semaphore(max_concurrent)
        self._metrics = metrics

    @property
    def has_outcome_scorer(self) -> bool:
        return self._outcome_scorer is not None

    def prompt_for(self, problem: str) -> str:
        return self._descriptor.prompt_template.format(problem=problem)

    def validate(self, params: SolveParams) -> int:
        """Check what the request schema cannot know; returns the prompt's token count."""
        if not params.problem.strip():
            raise InvalidRequest("problem is empty")
        if params.n > self._max_n:
            raise InvalidRequest(f"n={params.n} exceeds this server's limit of {self._max_n} chains")
        if params.temperature == 0 and params.n > 1:
            raise InvalidRequest(
                f"temperature=0 samples greedily, so all n={params.n} chains would be the same: "
                "use n=1, or a temperature above 0"
            )
        if params.selection == "orm_max" and self._outcome_scorer is None:
            raise InvalidRequest("selection 'orm_max' needs an outcome reward model, and none is configured")
        context = self._generator.max_model_len
        if params.max_tokens >= context:
            raise InvalidRequest(
                f"max_tokens={params.max_tokens} must be below the model's context of {context} tokens"
            )
        prompt_tokens = self._generator.count_tokens(self.prompt_for(params.problem))
        if prompt_tokens + params.max_tokens > context:
            raise ProblemTooLong(
                f"the problem takes {prompt_tokens} tokens as a prompt; with max_tokens={params.max_tokens} "
                f"that exceeds the model's context of {context} tokens (at most "
                f"{context - params.max_tokens} prompt tokens at this max_tokens)"
            )
        return prompt_tokens

    async def solve(self, params: SolveParams, request_id: str) -> SolveOutcome:
        self.validate(params)
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
            self.prompt_for(params.problem), params.n, params.temperature, params.max_tokens, params.seed
        )
        generation = await self._generator.generate(sampling, request_id)
        generated = time.perf_counter()
        steps = [split_steps(c.text, self._descriptor.step_separator) for c in generation.chains]

        outcome: StepScores | None = None
        if params.selection == "orm_max" and self._outcome_scorer is not None:
            prm, outcome = await asyncio.gather(
                self._scorer.score(params.problem, steps, request_id),
                self._outcome_scorer.score(params.problem, steps, f"{request_id}-orm"),
            )
        else:
            prm = await self._scorer.score(params.problem, steps, request_id)
        scored = time.perf_counter()

        records = []
        for i, (chain, chain_steps) in enumerate(zip(generation.chains, steps, strict=True)):
            step_scores = prm.per_chain[i]
            outcome_steps = outcome.per_chain[i] if outcome is not None else []
            records.append(
                ChainRecord(
                    text=chain.text,
                    steps=chain_steps,
                    step_scores=step_scores,
                    chain_score=aggregate(step_scores, params.aggregation),
                    outcome_score=outcome_steps[-1] if outcome_steps else (0.0 if outcome is not None else None),
                    answer=extract_answer(chain_steps, self._descriptor.answer_prefix),
                    tokens=chain.tokens,
                )
            )
        result = select([ScoredChain(r.answer, r.chain_score, r.outcome_score) for r in records], params.selection)
        winner = records[result.winner_index] if result.winner_index is not None else None
        summary = summarize_chain(
            self._descriptor.task,
            winner.steps if winner else [],
            result.answer,
            winner.step_scores if winner else [],
        )
        done = time.perf_counter()

        usage = Usage(
            prompt_tokens=generation.prompt_tokens,
            reasoning_tokens=sum(c.tokens for c in generation.chains),
            scored_tokens=prm.tokens_scored + (outcome.tokens_scored if outcome else 0),
        )
        timings = Timings(generated - started, scored - generated, done - scored, done - started)
        self._metrics.observe(timings.generate_s, timings.score_s, timings.select_s, params.n, usage)
        log.info(
            "solved n=%d selection=%s answer=%s confidence=%.3f in %.3fs",
            params.n,
            params.selection,
            result.answer,
            result.confidence,
            timings.total_s,
        )
        return SolveOutcome(
            request_id=request_id,
            params=params,
            answer=result.answer,
            summary=summary,
            confidence=result.confidence,
            clusters=result.clusters,
            winner_index=result.winner_index,
            winner_step_scores=winner.step_scores if winner else [],
            usage=usage,
            timings=timings,
            chains=records,
        )
