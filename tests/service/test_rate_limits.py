"""Per-key rate limits: buckets that refill a minute's allowance, reasoning tokens charged as
requests end, and OpenAI's x-ratelimit-* headers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import RateLimited
from app.service.rate_limits import RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_keys_requests_a_minute_run_out_and_come_back() -> None:
    clock = Clock()
    limits = RateLimits(requests_per_minute=3, tokens_per_minute=None, clock=clock)
    for _ in range(3):
        limits.admit("key-a")
    with pytest.raises(RateLimited) as refused:
        limits.admit("key-a")
    assert refused.value.retry_after_s == pytest.approx(20.0)  # one request comes back every 20 s
    assert refused.value.headers["x-ratelimit-remaining-requests"] == "0"
    limits.admit("key-b")  # another key has its own allowance
    clock.now = 20.0
    limits.admit("key-a")


def test_reasoning_tokens_are_charged_when_a_request_ends_and_paid_back_over_time() -> None:
    clock = Clock()
    limits = RateLimits(requests_per_minute=None, tokens_per_minute=600, clock=clock)
    limits.admit("k")
    limits.spend("k", 900)  # a request may cost more than is left: the balance goes below zero
    with pytest.raises(RateLimited, match="reasoning tokens") as refused:
        limits.admit("k")
    assert refused.value.retry_after_s == pytest.approx(30.0)  # 300 tokens owed, 10 a second back
    clock.now = 30.0
    limits.admit("k")


def test_headers_say_where_the_limits_stand() -> None:
    clock = Clock()
    limits = RateLimits(requests_per_minute=60, tokens_per_minute=6000, clock=clock)
    limits.admit("k")
    limits.spend("k", 3000)
    headers = limits.headers("k")
    assert headers["x-ratelimit-limit-requests"] == "60" and headers["x-ratelimit-remaining-requests"] == "59"
    assert headers["x-ratelimit-remaining-tokens"] == "3000" and headers["x-ratelimit-reset-tokens"] == "30s"
    assert headers["x-ratelimit-reset-requests"] == "1s"


@given(st.lists(st.tuples(st.floats(0, 5), st.integers(0, 500)), max_size=60))
def test_a_key_never_starts_more_requests_than_its_allowance(events: list[tuple[float, int]]) -> None:
    clock = Clock()
    limits = RateLimits(requests_per_minute=10, tokens_per_minute=None, clock=clock)
    started = 0
    for wait, _ in events:
        clock.now += wait
        try:
            limits.admit("k")
            started += 1
        except RateLimited:
            pass
    assert started <= 10 + clock.now / 6 + 1e-9  # the minute's allowance and what refilled since


def test_no_limits_configured_admit_everything() -> None:
    limits = RateLimits(None, None)
    assert not limits.enabled and limits.headers("k") == {}
    for _ in range(1000):
        limits.admit("k")
