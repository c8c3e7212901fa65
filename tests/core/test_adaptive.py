"""The adaptive search's rules and controller, driven by simulated chains."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.adaptive import (
    Abort,
    Action,
    AdaptiveSearch,
    Launch,
    PruneRule,
    SearchBudget,
    Stop,
    StopRule,
    should_prune,
    vote_decided,
)
from tests.conftest import examples

probability = st.floats(0.0, 1.0)


@given(st.lists(st.floats(0.0, 20.0), min_size=1, max_size=6), st.integers(0, 10), st.data())
def test_a_certain_vote_cannot_be_overturned_by_the_open_chains(
    weights: list[float], open_votes: int, data: st.DataObject
) -> None:
    if vote_decided(weights, 0, open_votes, StopRule(margin=1e9)) != "certain":
        return
    leader = max(range(len(weights)), key=weights.__getitem__)
    after = list(weights)
    for _ in range(open_votes):  # every open chain votes, for anyone (or a new answer), with any score
        to = data.draw(st.integers(0, len(after)))
        if to == len(after):
            after.append(0.0)
        after[to] += data.draw(probability)
    assert max(range(len(after)), key=after.__getitem__) == leader


@given(st.lists(st.floats(0.0, 20.0), min_size=1, max_size=6), st.integers(0, 10), st.integers(0, 30))
def test_the_stop_rule_holds_when_it_says_decided(weights: list[float], open_votes: int, votes: int) -> None:
    rule = StopRule(margin=1.5, share=0.6, min_votes=3)
    if vote_decided(weights, votes, open_votes, rule) == "decided":
        ranked = sorted(weights, reverse=True)
        runner_up = ranked[1] if len(ranked) > 1 else 0.0
        assert votes >= 3 and ranked[0] - runner_up >= 1.5 and ranked[0] / sum(weights) >= 0.6


def test_no_votes_is_never_decided() -> None:
    assert vote_decided([], 0, 0, StopRule(margin=0, share=0, min_votes=1)) is None


@given(probability, st.integers(0, 10), st.one_of(st.none(), probability))
def test_pruning_follows_the_floor_and_the_relative_rule(score: float, steps: int, best: float | None) -> None:
    rule = PruneRule(floor=0.2, relative=0.5, min_steps=2)
    pruned = should_prune(score, steps, best, rule)
    if steps < 2:
        assert not pruned
    else:
        assert pruned == (score < 0.2 or (best is not None and score < 0.5 * best))


@dataclass(frozen=True)
class SimChain:
    steps: list[tuple[int, float]]  # (tokens, score of the step)
    answer: str | None
    truncated: bool


sim_chains = st.lists(
    st.builds(
        SimChain,
        st.lists(st.tuples(st.integers(1, 40), probability), min_size=1, max_size=6),
        st.sampled_from(["1", "2", "3", None]),
        st.booleans(),
    ),
    min_size=64,
    max_size=64,
)


def simulate(search: AdaptiveSearch, chains: list[SimChain]) -> tuple[list[Action], int]:
    """Runs the search on these chains (chain i is the i-th launched), round robin one step at a
    time, 10 ms a step. Returns every action and the tokens the engine decoded: after a stop or an
    abort, each chain that was running still delivers the step it was decoding."""
    actions: list[Action] = []
    running: dict[int, int] = {}  # chain → steps done
    launched = 0
    decoded = 0
    clock = 0.0
    late: list[tuple[int, int]] = []  # tokens an aborted chain still decodes, reported next

    def apply(new: list[Action]) -> None:
        nonlocal launched, decoded
        actions.extend(new)
        for action in new:
            if isinstance(action, Launch):
                for _ in range(action.count):
                    running[launched] = 0
                    launched += 1
            elif isinstance(action, Abort):  # its step in flight is decoded, and reported
                late.append((action.index, in_flight(action.index, running.pop(action.index))))
            elif isinstance(action, Stop):
                decoded += sum(in_flight(i, done) for i, done in running.items())
                running.clear()

    def in_flight(i: int, done: int) -> int:
        """The tokens of the step chain i was decoding when its abort landed (none: it had ended)."""
        steps = chains[i].steps
        return steps[done][0] if done < len(steps) else 0

    apply(search.begin())
    while running:
        for i in list(running):
            while late:
                j, tokens = late.pop()
                decoded += tokens
                apply(search.on_tokens(j, tokens, clock))
            if i not in running:
                continue
            chain, done = chains[i], running[i]
            tokens, _ = chain.steps[done]
            clock += 10
            decoded += tokens
            running[i] = done = done + 1
            apply(search.on_tokens(i, tokens, clock))
            if i not in running:
                continue
            partial = min(score for _, score in chain.steps[:done])
            if done == len(chain.steps):
                running.pop(i)
                apply(search.on_finished(i, chain.answer, partial, chain.truncated))
            else:
                apply(search.on_scored(i, partial, done))
    return actions, decoded


@settings(max_examples=examples(300))
@given(
    sim_chains,
    st.integers(1, 64),
    st.one_of(st.none(), st.integers(1, 2000)),
    st.integers(1, 16),
    st.booleans(),
)
def test_the_search_keeps_its_budget(
    chains: list[SimChain], max_chains: int, max_tokens: int | None, wave: int, prune: bool
) -> None:
    search = AdaptiveSearch(
        SearchBudget(max_chains, max_tokens),
        PruneRule(floor=0.3, relative=0.5) if prune else None,
        StopRule(margin=2.0, share=0.7, min_votes=3),
        wave=wave,
    )
    actions, decoded = simulate(search, chains)
    tally = search.tally
    launched = sum(a.count for a in actions if isinstance(a, Launch))
    stops = [a for a in actions if isinstance(a, Stop)]
    aborted = [a.index for a in actions if isinstance(a, Abort)]
    assert launched == tally.started <= max_chains
    assert len(stops) == 1 and stops[0].reason == tally.stop_reason
    assert len(aborted) == len(set(aborted)) == tally.pruned
    assert tally.finished + tally.truncated + tally.pruned <= tally.started
    if max_tokens is not None:
        # Over by at most the step whose report crossed the limit, and the step each running chain
        # was decoding when the stop landed (steps ≤ 40 tokens; at most `wave` chains run at once).
        assert decoded <= max_tokens + 40 + 40 * min(wave, max_chains)
    if not prune and max_tokens is None and tally.stop_reason == "max_chains":
        assert tally.started == max_chains and tally.finished + tally.truncated == max_chains


def test_a_pruned_chain_is_aborted_replaced_and_never_votes() -> None:
    search = AdaptiveSearch(SearchBudget(8), PruneRule(floor=0.5), StopRule(margin=1e9, share=1.0), wave=2)
    assert search.begin() == [Launch(2)]
    assert search.on_scored(0, 0.9, 1) == []
    assert search.on_scored(1, 0.1, 1) == [Abort(1), Launch(1)]  # its budget goes to a new chain
    assert search.on_tokens(1, 5, 0.0) == [] and search.tally.reasoning_tokens == 5  # decoded all the same
    assert search.on_finished(1, "7", 0.1, truncated=False) == []
    assert (search.votes, search.weights, search.tally.pruned, search.tally.started) == (0, {}, 1, 3)


def test_an_easy_problem_stops_early() -> None:
    """Every chain right and scored high: the vote is decided long before 64 chains."""
    chains = [SimChain([(10, 0.95), (10, 0.9)], "4", False)] * 64
    search = AdaptiveSearch(
        SearchBudget(64), PruneRule(floor=0.2), StopRule(margin=2.0, share=0.8, min_votes=3), wave=4
    )
    simulate(search, chains)
    assert search.tally.stop_reason == "decided" and search.tally.started < 16


@pytest.mark.parametrize(
    "make",
    [
        lambda: SearchBudget(0),
        lambda: SearchBudget(4, max_reasoning_tokens=0),
        lambda: SearchBudget(4, max_latency_ms=0),
        lambda: PruneRule(floor=1.5),
        lambda: StopRule(share=2.0),
        lambda: AdaptiveSearch(SearchBudget(4), None, StopRule(), wave=0),
    ],
)
def test_nonsense_settings_are_refused(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
