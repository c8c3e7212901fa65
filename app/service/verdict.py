"""`verdict`: what a finished run answers — the vote over every chain, its confidence and summary,
and what the request cost (a continuation's: every run of it together)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.core.confidence import Calibration, confidence_of
from app.core.select import ScoredChain, select
from app.core.votes import TRUNCATED, ended_on_its_own
from app.engines.notes import Note
from app.service.context_notes import in_words as notes_in_words
from app.service.context_notes import set_aside
from app.service.continuation import carried_over, usage_so_far
from app.service.events import SummaryDelta, summary_pieces
from app.service.outcome import (
    ChainCounts,
    ChainRecord,
    CheckTally,
    ContextTally,
    SolveOutcome,
    Timings,
    ToolTally,
    Usage,
)
from app.service.pipeline_metrics import PipelineMetrics
from app.service.run import Run, Scored
from app.service.step_checks import in_words
from app.service.step_checks import tally as tally_checks
from app.service.summaries import SummaryBrief, SummaryWriter
from app.service.tool_use import in_words as tools_in_words

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Judge:
    """What every answer is judged and told with: the confidence calibration and the threshold
    for `verified`, the summary writer, the metrics."""

    summaries: SummaryWriter
    metrics: PipelineMetrics
    calibration: Calibration | Sequence[Calibration] | None = None
    verified_threshold: float = 0.9


def counts_of(records: Sequence[ChainRecord]) -> ChainCounts:
    return ChainCounts(
        sampled=len(records),
        voted=sum(r.votes for r in records),
        truncated=sum(r.finish_reason == TRUNCATED for r in records),
        # Ended on its own with an answer, yet no vote: a reward model could not read it.
        unscored=sum(
            ended_on_its_own(r.finish_reason) and r.answer is not None and not r.votes and not r.set_aside
            for r in records
        ),
    )


async def verdict(run: Run, scored: Scored, judge: Judge) -> SolveOutcome:
    records, notes = _records(run, scored)
    params, tally, prunes, tree = carried_over(run.earlier, run.params, scored, len(records))
    ballots = [ScoredChain(r.answer if r.votes else None, r.chain_score, r.outcome_score) for r in records]
    result = select(ballots, params.selection)
    in_domain = run.engines.generator_format.in_domain(params.problem)
    failed, unfinished = [r.vetoed for r in records], [r.unfinished for r in records]
    confidence = confidence_of(
        ballots,
        result,
        judge.calibration,
        params.aggregation,
        in_domain,
        params.strategy,
        failed,
        params.checks,
        unfinished,
    )
    winner = records[result.winner_index] if result.winner_index is not None else None
    checks = tally_checks(records, run.checks.versions) if run.checks is not None else None
    brief = SummaryBrief(params.problem, result.answer, winner, records, len(records), confidence.value)
    tools = ToolTally.of(params.tools, records) if params.tools else None
    context = ContextTally.of(notes, records) if notes else None
    summary = await _summary(run, judge, brief, checks, tools, context)
    for piece in summary_pieces(summary):
        run.emit(SummaryDelta(piece))
    # The metrics count this run's own work; the response, a continuation's every run together.
    scored_tokens = scored.prm.tokens_scored + (scored.orm.tokens_scored if scored.orm else 0)
    this_run = Usage(run.prompt_tokens, run.book.tokens_decoded, scored_tokens, sum(map(len, run.book.calls)))
    outcome = SolveOutcome(
        request_id=run.request_id,
        params=params,
        answer=result.answer,
        summary=summary,
        confidence=confidence.value,
        calibrated=confidence.calibrated,
        # A chain with a step found false is not verified, however the reward model scored it.
        verified=result.answer is not None
        and confidence.value >= judge.verified_threshold
        and not (winner is not None and winner.vetoed),
        clusters=result.clusters,
        winner_step_scores=winner.step_scores if winner else [],
        counts=counts_of(records),
        usage=usage_so_far(run.earlier, this_run),
        timings=_timings(run.started, scored, time.perf_counter()),
        chains=records,
        search=tally,
        winner_index=result.winner_index,
        prunes=prunes,
        tree=tree,
        checks=checks,
        winner_step_checks=tuple(c.verdict for c in winner.step_checks) if winner else (),
        tools=tools,
        context=context,
    )
    _log(outcome)
    own = replace(outcome, params=replace(params, n=scored.launched), usage=this_run, search=scored.tally)
    judge.metrics.observe(own)
    return outcome


def _records(run: Run, scored: Scored) -> tuple[list[ChainRecord], tuple[Note, ...]]:
    """Every chain of the answer, those the client's notes set aside out of the vote; the notes."""
    records = run.book.records(scored.launched, scored.prm, scored.orm, run.params.aggregation, run.checks)
    notes = run.notes.notes if run.notes is not None else ()
    return (set_aside(records, len(notes)) if notes else records), notes


async def _summary(
    run: Run,
    judge: Judge,
    brief: SummaryBrief,
    checks: CheckTally | None,
    tools: ToolTally | None,
    context: ContextTally | None,
) -> str:
    """The summary shown, with what the checkers found, what the tools were called for and
    which chains read the client's notes in words (not in a concise one: one sentence, the
    answer's)."""
    style = run.params.summary
    summary = await judge.summaries.write(brief, style, run.request_id)
    if not summary or style == "concise":
        return summary
    checked = in_words(checks, brief.winner, brief.n) if checks is not None else ""
    called = tools_in_words(tools) if tools is not None else ""
    noted = notes_in_words(context, brief.n) if context is not None else ""
    return " ".join(part for part in (summary, checked, called, noted) if part)


def _timings(started: float, scored: Scored, done: float) -> Timings:
    generated_at, scored_at = scored.generated_at, scored.scored_at
    return Timings(generated_at - started, scored_at - generated_at, done - scored_at, done - started)


def _log(outcome: SolveOutcome) -> None:
    log.info(
        "solved n=%d selection=%s answer=%s confidence=%.3f verified=%s voted=%d truncated=%d in %.3fs",
        outcome.params.n,
        outcome.params.selection,
        outcome.answer,
        outcome.confidence,
        outcome.verified,
        outcome.counts.voted,
        outcome.counts.truncated,
        outcome.timings.total_s,
    )
