"""Which chains vote once a client added notes (`heeding`), directly and with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.votes import heeding


def test_without_notes_every_voting_chain_votes() -> None:
    assert heeding([True, False, True], [0, 0, 0], 0) == [True, False, True]


def test_chains_that_read_every_note_vote_alone() -> None:
    assert heeding([True, True, True, False], [2, 1, 2, 2], 2) == [True, False, True, False]


def test_where_no_voting_chain_read_the_notes_the_vote_is_as_without_them() -> None:
    assert heeding([True, True, False], [0, 0, 1], 1) == [True, True, False]


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 3)), max_size=12), st.integers(0, 3))
def test_a_chain_votes_only_if_it_voted_before_and_some_chain_votes(chains: list[tuple[bool, int]], notes: int) -> None:
    votes, read = [v for v, _ in chains], [r for _, r in chains]
    after = heeding(votes, read, notes)
    assert all(v for v, a in zip(votes, after, strict=True) if a)  # no new voter
    assert any(after) == any(votes)  # notes never leave an answer without a vote
    if any(a and r < notes for a, r in zip(after, read, strict=True)):
        assert after == votes  # chains behind the notes vote only when none read them all
