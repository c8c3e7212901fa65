"""Admission through the API (fake engines): beyond the running slots requests wait their turn;
429 with Retry-After only when the queue is full."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.fakes import PROBLEM, FakeGenerator, fake_app, fake_engines


def statuses(queued: int, clients: int = 6) -> list[int]:
    gen = FakeGenerator(delay=0.15)
    with fake_app(fake_engines(gen), max_concurrent_requests=1, max_queued_requests=queued) as app:

        def call(i: int) -> int:
            r = app.client.post("/solve", json={"problem": PROBLEM, "n": 2, "seed": i})
            assert r.status_code != 429 or r.headers["retry-after"]
            return r.status_code

        with ThreadPoolExecutor(clients) as pool:
            return list(pool.map(call, range(clients)))


def test_requests_beyond_the_slot_wait_and_are_all_answered() -> None:
    assert statuses(queued=8) == [200] * 6


def test_without_room_to_wait_the_surplus_is_told_to_retry() -> None:
    got = statuses(queued=0)
    assert got.count(200) >= 1 and got.count(429) >= 1 and set(got) <= {200, 429}
