"""The scorer's memory of step scores: keys follow the token prefix, rows map to the right tags."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.engines.tag_scores import TagScoreMemo, rows_for_tags, tags_of

TAG = 9
tokens = st.lists(st.integers(0, 12), max_size=60)


@given(tokens, tokens)
def test_a_tag_has_the_same_key_in_every_sequence_that_agrees_up_to_it(head: list[int], tail: list[int]) -> None:
    shared = tags_of(head, TAG)
    assert tags_of(head + tail, TAG)[: len(shared)] == shared


@given(tokens, st.integers(0, 12), tokens)
def test_a_tag_after_a_different_token_has_another_key(head: list[int], changed: int, tail: list[int]) -> None:
    ids = [*head, changed, *tail, TAG]
    other = [*head, (changed + 1) % 13, *tail, TAG]
    assert tags_of(ids, TAG)[-1].key != tags_of(other, TAG)[-1].key


@given(tokens)
def test_tags_are_found_where_the_tag_token_is(ids: list[int]) -> None:
    assert [tag.position for tag in tags_of(ids, TAG)] == [i for i, t in enumerate(ids) if t == TAG]


@given(tokens, st.data())
def test_rows_belong_to_the_tags_among_the_computed_tokens(ids: list[int], data: st.DataObject) -> None:
    n_rows = data.draw(st.integers(1, max(1, len(ids))))
    tags = tags_of(ids, TAG)
    mapping = rows_for_tags(tags, len(ids), n_rows)
    first = len(ids) - n_rows
    assert set(mapping) == {i for i, tag in enumerate(tags) if tag.position >= first}
    for i, row in mapping.items():
        assert 0 <= row < n_rows and first + row == tags[i].position


def test_the_memo_forgets_the_least_recently_used_first() -> None:
    memo = TagScoreMemo(capacity=2)
    memo.put(1, 0.1)
    memo.put(2, 0.2)
    assert memo.get(1) == 0.1  # 1 is now the most recently used
    memo.put(3, 0.3)
    assert (memo.get(1), memo.get(2), memo.get(3), len(memo)) == (0.1, None, 0.3, 2)
