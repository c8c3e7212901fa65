"""`bon eval --check`: the comparison of a run again with its recorded row."""

from __future__ import annotations

from lab.evaluation.reproduce import COMPARED, compare

ROW = {
    "problems": 500,
    "accuracy": 83.0,
    "reasoning_tokens": 633.2,
    "chains_started": 16.0,
    "chains_pruned": 0.0,
    "stops": {},
    "verified_share": 76.0,
    "wall_ms_mean": 139.0,
}


def test_the_same_figures_at_another_wall_clock_are_reproduced() -> None:
    figures = compare({"fixed N=16": ROW}, {"fixed N=16": ROW | {"wall_ms_mean": 250.0}})
    assert len(figures) == len(COMPARED) and all(f.same for f in figures)


def test_one_token_more_on_average_is_a_difference() -> None:
    figures = compare({"fixed N=16": ROW}, {"fixed N=16": ROW | {"reasoning_tokens": 633.202}})
    assert [f.name for f in figures if not f.same] == ["reasoning_tokens"]
