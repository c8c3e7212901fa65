"""Settings can lower the wire models' limits, never raise them past what the schemas accept."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import WIRE_MAX_PROBLEM_CHARS, WIRE_MAX_TEMPERATURE, Settings


@pytest.mark.parametrize(
    "changes",
    [
        {"max_temperature": WIRE_MAX_TEMPERATURE + 0.5},
        {"max_problem_chars": WIRE_MAX_PROBLEM_CHARS + 1},
        {"max_temperature": 0.5, "default_temperature": 1.0},
        {"max_n": 8},  # below the efforts' N (high samples 64)
    ],
)
def test_settings_beyond_the_limits_are_refused_at_start(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**changes)  # type: ignore[arg-type]


def test_limits_can_be_lowered() -> None:
    s = Settings(max_temperature=1.0, max_problem_chars=100)
    assert (s.max_temperature, s.max_problem_chars) == (1.0, 100)
