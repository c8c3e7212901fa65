"""The fixed strategy's schedule: batch only where nothing of a chain is wanted before all end."""

from __future__ import annotations

from typing import get_args

from hypothesis import given
from hypothesis import strategies as st

from app.core.schedule import Schedule, StepScoring, schedule_for


def test_auto_batches_an_unwatched_request_and_streams_a_watched_one() -> None:
    assert schedule_for("auto", watched=False) == "batch"
    assert schedule_for("auto", watched=True) == "finished"


@given(st.sampled_from([s for s in get_args(StepScoring) if s != "auto"]), st.booleans())
def test_a_named_schedule_is_kept_whoever_watches(setting: Schedule, watched: bool) -> None:
    assert schedule_for(setting, watched=watched) == setting


@given(st.sampled_from(get_args(StepScoring)), st.booleans())
def test_every_setting_gives_a_schedule(setting: StepScoring, watched: bool) -> None:
    assert schedule_for(setting, watched=watched) in get_args(Schedule)
