"""The leak guard: a summary must not copy the hidden chains. Any run of `run` consecutive tokens
that also occurs in a chain is a copy, however it was paraphrased around it."""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_RUN = 12


def copies_a_chain(summary: Sequence[int], chains: Sequence[Sequence[int]], run: int = DEFAULT_RUN) -> bool:
    """Whether `summary` repeats `run` consecutive tokens of any chain (all as token ids)."""
    if run < 1:
        raise ValueError("run must be at least 1")
    if len(summary) < run:
        return False
    grams = {tuple(summary[i : i + run]) for i in range(len(summary) - run + 1)}
    # Chains are long (N of them, thousands of tokens each) and the summary short: a run is built
    # only where a chain token could start one.
    starts = {gram[0] for gram in grams}
    for chain in chains:
        for i in range(len(chain) - run + 1):
            if chain[i] in starts and tuple(chain[i : i + run]) in grams:
                return True
    return False
