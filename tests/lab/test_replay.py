"""The replay that fits the adaptive search: the service's controller driven by recorded chains."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import AdaptiveSettings
from app.core.adaptive import SearchBudget, SearchRules
from lab.evaluation.metrics import ProblemSamples
from lab.evaluation.replay import fixed, replay
from tests.conftest import examples

ANSWERS = ["243", "233", "85"]


@st.composite
def recorded(draw: st.DrawFn, chains: int = 16) -> ProblemSamples:
    """A problem's recorded chains: steps with scores and token counts, some cut off."""
    answers, scores, tokens, finish = [], [], [], []
    for _ in range(chains):
        steps = draw(st.integers(0, 5))
        answers.append(draw(st.sampled_from(ANSWERS)) if steps else None)
        scores.append(draw(st.lists(st.floats(0.0, 1.0), min_size=steps, max_size=steps)))
        tokens.append(draw(st.lists(st.integers(1, 12), min_size=steps, max_size=steps)))
        finish.append(draw(st.sampled_from(["stop", "stop", "stop", "length"])))
    return ProblemSamples(
        answer="243",
        greedy_correct=False,
        answers=answers,
        correct=[a == "243" for a in answers],
        step_scores=scores,
        outcome_scores=[0.0] * chains,
        step_right=[],
        first_error=[],
        text="((37+48)*3)-12",
        step_tokens=tokens,
        finish_reasons=finish,
    )


rules = st.builds(
    AdaptiveSettings,
    wave=st.integers(1, 8),
    prune_floor=st.sampled_from([0.0, 0.1, 0.5]),
    stop_margin=st.sampled_from([0.5, 1.0, 2.0]),
    stop_share=st.sampled_from([0.5, 0.8]),
    stop_min_votes=st.integers(1, 4),
)


@settings(max_examples=examples(200), deadline=None)
@given(recorded(), st.integers(1, 16))
def test_a_search_with_no_rules_and_every_chain_at_once_is_fixed_best_of_n(s: ProblemSamples, n: int) -> None:
    searched = replay(s, SearchBudget(n), SearchRules(None, None, wave=n))
    plain = fixed(s, range(n))
    assert searched.result.answer == plain.result.answer and searched.correct == plain.correct
    assert searched.tokens == plain.tokens and searched.started == n
    assert searched.ticks == plain.ticks  # all at once: as long as the longest chain


@settings(max_examples=examples(200), deadline=None)
@given(recorded(), rules, st.integers(1, 16), st.one_of(st.none(), st.integers(1, 200)))
def test_a_search_keeps_its_budget(s: ProblemSamples, chosen: AdaptiveSettings, n: int, tokens: int | None) -> None:
    searched = replay(s, SearchBudget(n, tokens), chosen.rules())
    assert searched.started <= n
    assert searched.tokens <= sum(sum(t) for t in s.step_tokens[:n])
    if tokens is not None:  # over by at most one step of each chain that can run at once
        assert searched.tokens <= tokens + min(chosen.wave, n) * 12
    if searched.result.winner_index is not None:
        assert searched.ballots[searched.result.winner_index].answer is not None
