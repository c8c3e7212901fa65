"""Step scores remembered by the token prefix they were read at, so that a growing chain's earlier
steps are never read twice.

A step's score is the reward model's output at its tag token, and under causal attention it
depends on the tokens up to that tag and nothing after. So it is known by that prefix: the key of
a tag is a hash chained over the chain's tokens up to it. The in-process scorer runs vLLM with
prefix caching, which computes only the tokens past the cached blocks and returns their rows; the
tags before those rows must come from here. Pure data structures, no engine.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tag:
    position: int  # index of the tag token in the chain's tokens
    key: int  # hash of the tokens up to and including it


def tags_of(ids: Sequence[int], tag_id: int) -> list[Tag]:
    """Every tag in `ids`, keyed by its prefix: two token sequences that agree up to a tag give
    that tag the same key (the hash is chained segment by segment, so this costs one pass)."""
    tags: list[Tag] = []
    key, start = hash(()), 0
    for position, token in enumerate(ids):
        if token == tag_id:
            key = hash((key, tuple(ids[start : position + 1])))
            tags.append(Tag(position, key))
            start = position + 1
    return tags


def rows_for_tags(tags: Sequence[Tag], n_tokens: int, n_rows: int) -> dict[int, int]:
    """Which returned row belongs to which tag (by tag index), when the engine computed only the
    last `n_rows` of `n_tokens` tokens (the rest came from its prefix cache)."""
    first = n_tokens - n_rows
    return {i: tag.position - first for i, tag in enumerate(tags) if tag.position >= first}


class TagScoreMemo:
    """The scores of the most recently read tags, least recently used forgotten first. A
    forgotten score is read again (the engine is asked to skip its prefix cache), never guessed."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._scores: OrderedDict[int, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._scores)

    def get(self, key: int) -> float | None:
        score = self._scores.get(key)
        if score is not None:
            self._scores.move_to_end(key)
        return score

    def put(self, key: int, score: float) -> None:
        self._scores[key] = score
        self._scores.move_to_end(key)
        while len(self._scores) > self._capacity:
            self._scores.popitem(last=False)
