"""The store of answers a continuation resumes: kept for a while, one continuation at a time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.errors import RequestBusy, RequestExpired, UnknownRequest
from app.service.kept import KeptSearch, KeptSearches
from app.service.outcome import Usage
from app.service.params import SolveParams

PARAMS = SolveParams("((37+48)*3)-12", 4, 1.0, 64, 7, "min", "prm_weighted_vote")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def kept(chains: int = 0) -> KeptSearch:
    return KeptSearch(PARAMS, (), Usage(10, chains, 0), None)


def test_a_kept_answer_is_taken_once_and_kept_again_after() -> None:
    store = KeptSearches(ttl_s=60, max_kept=4, clock=Clock())
    store.keep("a", kept())
    assert store.take("a") == kept()
    with pytest.raises(RequestBusy):
        store.take("a")  # a second continuation while the first runs
    store.keep("a", kept(5), continued=True)
    assert store.take("a").usage.reasoning_tokens == 5


def test_a_failed_continuation_gives_the_answer_back_unchanged() -> None:
    store = KeptSearches(ttl_s=60, max_kept=4, clock=Clock())
    store.keep("a", kept(3))
    taken = store.take("a")
    store.release("a", taken)
    assert store.take("a") == kept(3)


def test_an_id_never_kept_is_unknown_and_one_whose_time_ran_out_is_expired() -> None:
    clock = Clock()
    store = KeptSearches(ttl_s=60, max_kept=4, clock=clock)
    store.keep("a", kept())
    with pytest.raises(UnknownRequest):
        store.take("b")
    clock.now = 59.9
    assert len(store) == 1
    clock.now = 60.0
    with pytest.raises(RequestExpired, match="60 s"):
        store.take("a")
    assert len(store) == 0


def test_keeping_again_restarts_the_clock() -> None:
    clock = Clock()
    store = KeptSearches(ttl_s=60, max_kept=4, clock=clock)
    store.keep("a", kept())
    clock.now = 50
    store.keep("a", store.take("a"), continued=True)
    clock.now = 100
    assert store.take("a") == kept()


def test_the_oldest_answer_makes_room_and_then_reads_as_expired() -> None:
    store = KeptSearches(ttl_s=60, max_kept=2, clock=Clock())
    for request_id in "abc":
        store.keep(request_id, kept())
    assert len(store) == 2
    with pytest.raises(RequestExpired):
        store.take("a")
    assert store.take("c") == kept()


def test_an_answer_being_continued_is_not_replaced_by_another_with_its_id() -> None:
    store = KeptSearches(ttl_s=60, max_kept=4, clock=Clock())
    store.keep("a", kept(1))
    taken = store.take("a")
    store.keep("a", kept(99))  # another /solve that reused the id (a client's X-Request-ID)
    store.keep("a", replace(taken, continued=1), continued=True)
    assert store.take("a").continued == 1


def test_whose_an_answer_is_is_known_while_it_is_kept_busy_or_gone() -> None:
    clock = Clock()
    store = KeptSearches(ttl_s=10, max_kept=4, clock=clock)
    store.keep("r1", replace(kept(), owner="key-a"))
    assert store.owner_of("r1") == "key-a" and store.owner_of("nope") is None
    taken = store.take("r1")
    assert store.owner_of("r1") == "key-a"  # busy
    store.release("r1", taken)
    clock.now += 11
    assert store.owner_of("r1") == "key-a"  # expired, still remembered as whose
