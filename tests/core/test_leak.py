"""The leak guard, directly and with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.leak import copies_a_chain

tokens = st.lists(st.integers(0, 50), max_size=60)


@given(chain=st.lists(st.integers(0, 50), min_size=12, max_size=60), data=st.data())
def test_any_copied_run_is_caught_wherever_it_stands(chain: list[int], data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(chain) - 12))
    before, after = data.draw(tokens), data.draw(tokens)
    assert copies_a_chain(before + chain[start : start + 12] + after, [[99, 98], chain])


@given(summary=st.lists(st.integers(0, 50), max_size=60), chains=st.lists(st.lists(st.integers(51, 99)), max_size=4))
def test_a_summary_in_other_words_passes(summary: list[int], chains: list[list[int]]) -> None:
    assert not copies_a_chain(summary, chains)


@given(summary=tokens, chains=st.lists(tokens, max_size=3), run=st.integers(1, 15))
def test_a_longer_run_is_harder_to_match(summary: list[int], chains: list[list[int]], run: int) -> None:
    if copies_a_chain(summary, chains, run + 1):
        assert copies_a_chain(summary, chains, run)


def test_eleven_shared_tokens_are_not_a_copy() -> None:
    chain = list(range(30))
    assert not copies_a_chain([100, *range(5, 16), 100], [chain])
    assert copies_a_chain([100, *range(5, 17), 100], [chain])
