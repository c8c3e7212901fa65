"""Scoring only the chains worth scoring: a truncated chain does not vote, so the reward model
need not read it; a chain with no steps has nothing to read."""

from __future__ import annotations

from collections.abc import Sequence

from app.engines.protocols import StepScorer, StepScores


async def score_some(
    scorer: StepScorer, problem: str, steps: Sequence[list[str]], wanted: Sequence[bool], request_id: str
) -> StepScores:
    """Every chain's step scores (empty where not wanted or not read), with `unread` as indices
    into `steps`; the scorer sees only the wanted chains that have steps."""
    sent = [i for i, (s, w) in enumerate(zip(steps, wanted, strict=True)) if w and s]
    per_chain: list[list[float]] = [[] for _ in steps]
    if not sent:
        return StepScores(per_chain, 0)
    scored = await scorer.score(problem, [steps[i] for i in sent], request_id)
    for i, scores in zip(sent, scored.per_chain, strict=True):
        per_chain[i] = scores
    return StepScores(per_chain, scored.tokens_scored, tuple(sent[k] for k in scored.unread))
