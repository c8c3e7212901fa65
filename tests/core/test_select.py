from __future__ import annotations

import math
import random
from typing import get_args

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.core.equivalence import answers_equivalent
from app.core.select import MissingOutcomeScores, ScoredChain, Selection, SelectionResult, select

METHODS: tuple[Selection, ...] = get_args(Selection)


def chains_of(*rows: tuple[str | None, float] | tuple[str | None, float, float]) -> list[ScoredChain]:
    return [ScoredChain(row[0], row[1], row[2] if len(row) == 3 else None) for row in rows]


# Two answers tie on count, "243" is heavier; "12" holds the single best chain.
SPLIT = chains_of(("243", 0.9, 0.2), ("12", 0.95, 0.3), ("243.0", 0.6, 0.1), ("12", 0.2, 0.9), ("7", 0.1, 0.5))


def test_prm_weighted_vote_sums_chain_scores() -> None:
    result = select(SPLIT, "prm_weighted_vote")
    assert result.answer == "243"
    assert result.winner_index == 0  # 0.9 beats 0.6 inside the cluster
    assert result.confidence == pytest.approx(1.5 / 2.75)
    assert [(c.answer, c.members, c.count) for c in result.clusters] == [
        ("243", (0, 2), 2),
        ("12", (1, 3), 2),
        ("7", (4,), 1),
    ]
    assert [c.weight for c in result.clusters] == pytest.approx([1.5, 1.15, 0.1])


def test_majority_vote_breaks_a_count_tie_by_summed_score() -> None:
    result = select(SPLIT, "majority_vote")
    assert result.answer == "243"
    assert result.winner_index == 0
    assert result.confidence == pytest.approx(2 / 5)


def test_majority_vote_count_tie_goes_to_the_heavier_even_if_later() -> None:
    chains = chains_of(("5", 0.1), ("6", 0.9), ("6", 0.8), ("5", 0.2))
    result = select(chains, "majority_vote")
    assert (result.answer, result.winner_index) == ("6", 1)
    assert result.confidence == 0.5


def test_majority_vote_breaks_a_full_tie_by_first_appearance() -> None:
    chains = chains_of(("5", 0.5), ("6", 0.5), ("6", 0.5), ("5", 0.5))
    assert select(chains, "majority_vote").answer == "5"


def test_prm_max_takes_the_single_best_chain() -> None:
    result = select(SPLIT, "prm_max")
    assert (result.winner_index, result.answer) == (1, "12")
    assert result.confidence == pytest.approx(1.15 / 2.75)


def test_prm_max_tie_goes_to_the_first_chain() -> None:
    # The "5" cluster appears first, but the first chain with the best score gives "6".
    chains = chains_of(("5", 0.5), ("6", 0.9), ("5", 0.9))
    result = select(chains, "prm_max")
    assert (result.winner_index, result.answer) == (1, "6")


def test_orm_max_uses_outcome_scores_for_winner_and_weights() -> None:
    result = select(SPLIT, "orm_max")
    assert (result.winner_index, result.answer) == (3, "12")
    assert result.clusters[0].answer == "12"
    assert result.clusters[0].weight == pytest.approx(1.2)
    assert result.confidence == pytest.approx(1.2 / 2.0)


def test_orm_max_without_outcome_scores_raises() -> None:
    chains = chains_of(("1", 0.5, 0.5), ("2", 0.5))
    with pytest.raises(MissingOutcomeScores, match=r"\[1\]"):
        select(chains, "orm_max")
    assert issubclass(MissingOutcomeScores, ValueError)


def test_the_shown_answer_is_the_first_members_string() -> None:
    chains = chains_of(("486/2", 0.1), ("243", 0.9), ("243.0", 0.8))
    result = select(chains, "prm_weighted_vote")
    assert result.answer == "486/2"
    assert result.winner_index == 1


def test_chains_without_an_answer_never_win() -> None:
    chains = chains_of((None, 1.0), ("3", 0.2), (None, 0.99))
    methods: tuple[Selection, ...] = ("prm_max", "prm_weighted_vote", "majority_vote")
    for method in methods:
        result = select(chains, method)
        assert (result.winner_index, result.answer) == (1, "3")
        assert result.confidence == 1.0


@pytest.mark.parametrize("method", METHODS)
def test_no_answer_at_all(method: Selection) -> None:
    chains = chains_of((None, 0.9, 0.9), (None, 0.1, 0.1))
    assert select(chains, method) == SelectionResult(None, None, (), 0.0, method)
    assert select([], method) == SelectionResult(None, None, (), 0.0, method)


def test_zero_total_weight_gives_zero_confidence() -> None:
    chains = chains_of(("1", 0.0), ("2", 0.0))
    result = select(chains, "prm_weighted_vote")
    assert result.answer == "1"
    assert result.confidence == 0.0


def test_equal_weights_go_to_the_answer_more_chains_gave() -> None:
    """Every chain vetoed (all weights held at 0): the answer is the one most chains reached."""
    chains = chains_of(("21", 0.0), ("11", 0.0), ("11", 0.0), ("13", 0.0))
    assert select(chains, "prm_weighted_vote").answer == "11"


@pytest.mark.parametrize("bad", [math.nan, -0.5, 1.5])
def test_scores_must_be_probabilities(bad: float) -> None:
    with pytest.raises(ValueError, match="chain_score"):
        ScoredChain("1", bad, None)
    with pytest.raises(ValueError, match="outcome_score"):
        ScoredChain("1", 0.5, bad)


# Property tests. The pool has equivalent spellings, so the shown answer of a cluster may change
# with the order; answers are compared by equivalence.
POOL = ["1", "1.0", "2/2", "2", "4.0", "4", "-7", "\\frac{1}{2}", "0.5", None]
scores = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
chain_lists = st.lists(st.builds(ScoredChain, st.sampled_from(POOL), scores, scores), max_size=24)


@given(chain_lists, st.sampled_from(METHODS))
def test_the_winner_is_the_best_member_of_the_winning_cluster(chains: list[ScoredChain], method: Selection) -> None:
    result = select(chains, method)
    answered = [i for i, chain in enumerate(chains) if chain.answer is not None]
    if not answered:
        assert result.winner_index is None
        return

    def score(i: int) -> float:
        outcome = chains[i].outcome_score
        return outcome if method == "orm_max" and outcome is not None else chains[i].chain_score

    winning = next(c for c in result.clusters if c.answer == result.answer)
    assert result.winner_index in winning.members
    assert score(result.winner_index) == max(score(i) for i in winning.members)
    assert sorted(i for c in result.clusters for i in c.members) == answered
    assert sum(c.count for c in result.clusters) == len(answered)
    assert [c.weight for c in result.clusters] == sorted((c.weight for c in result.clusters), reverse=True)
    assert 0.0 <= result.confidence <= 1.0 + 1e-12
    if method in ("prm_max", "orm_max"):
        assert score(result.winner_index) == max(score(i) for i in answered)
    if method == "prm_weighted_vote":
        assert winning.weight == max(c.weight for c in result.clusters)
    if method == "majority_vote":
        assert winning.count == max(c.count for c in result.clusters)


@given(chain_lists, st.randoms(use_true_random=False))
def test_weighted_vote_ignores_the_order_of_chains(chains: list[ScoredChain], rng: random.Random) -> None:
    result = select(chains, "prm_weighted_vote")
    weights = sorted((c.weight for c in result.clusters), reverse=True)
    assume(len(weights) < 2 or weights[0] - weights[1] > 1e-9)
    shuffled = list(chains)
    rng.shuffle(shuffled)
    again = select(shuffled, "prm_weighted_vote")
    if result.answer is None:
        assert again.answer is None
    else:
        assert again.answer is not None
        assert answers_equivalent(result.answer, again.answer)
        assert again.confidence == pytest.approx(result.confidence)


@given(st.sampled_from([a for a in POOL if a is not None]), st.lists(scores, min_size=1, max_size=64))
def test_majority_on_one_answer_is_certain(answer: str, chain_scores: list[float]) -> None:
    result = select([ScoredChain(answer, s, None) for s in chain_scores], "majority_vote")
    assert result.answer == answer
    assert result.confidence == 1.0
    assert len(result.clusters) == 1
