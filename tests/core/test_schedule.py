"""The fixed strategy's schedule: batch only where nothing of a chain is wanted before all end, and
the reward model is a call away."""

from __future__ import annotations

from typing import get_args

from hypothesis import given
from hypothesis import strategies as st

from app.core.schedule import Schedule, StepScoring, schedule_for


def test_auto_batches_an_unwatched_request_for_a_remote_reward_model_only() -> None:
    assert schedule_for("auto", watched=False, remote_reward=True) == "batch"
    assert schedule_for("auto", watched=True, remote_reward=True) == "finished"
    # In process, the reward model reads the early chains while the late ones decode.
    assert schedule_for("auto", watched=False, remote_reward=False) == "finished"
    assert schedule_for("auto", watched=True, remote_reward=False) == "finished"


@given(st.sampled_from([s for s in get_args(StepScoring) if s != "auto"]), st.booleans(), st.booleans())
def test_a_named_schedule_is_kept_wherever_and_whoever(setting: Schedule, watched: bool, remote: bool) -> None:
    assert schedule_for(setting, watched=watched, remote_reward=remote) == setting


@given(st.sampled_from(get_args(StepScoring)), st.booleans(), st.booleans())
def test_every_setting_gives_a_schedule(setting: StepScoring, watched: bool, remote: bool) -> None:
    assert schedule_for(setting, watched=watched, remote_reward=remote) in get_args(Schedule)
