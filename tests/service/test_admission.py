"""Admission: requests beyond the slots wait their turn, clients in turn; 429 only when the queue
is full or the wait runs out."""

from __future__ import annotations

import asyncio

import pytest

from app.errors import Overloaded
from app.service.admission import Admission


async def hold(admission: Admission, client: str, log: list[str], release: asyncio.Event) -> None:
    async with admission.slot(client):
        log.append(client)
        await release.wait()


def test_requests_beyond_the_slots_wait_instead_of_being_refused() -> None:
    async def main() -> list[str]:
        admission, log, release = Admission(2, max_queued=10, max_wait_s=5), [], asyncio.Event()
        tasks = [asyncio.create_task(hold(admission, f"c{i}", log, release)) for i in range(6)]
        await asyncio.sleep(0.01)
        assert len(log) == 2 and admission.queued == 4
        release.set()
        await asyncio.gather(*tasks)
        assert admission.queued == 0 and not admission.running
        return log

    assert sorted(asyncio.run(main())) == [f"c{i}" for i in range(6)]


def test_clients_are_served_in_turn_so_none_starves_the_others() -> None:
    async def main() -> list[str]:
        admission, order = Admission(1, max_queued=100, max_wait_s=5), []
        gate = asyncio.Event()
        first = asyncio.create_task(hold(admission, "busy", order, gate))
        await asyncio.sleep(0)

        async def one(client: str) -> None:
            async with admission.slot(client):
                order.append(client)
                await asyncio.sleep(0)

        greedy = [asyncio.create_task(one("greedy")) for _ in range(10)]
        await asyncio.sleep(0)
        polite = asyncio.create_task(one("polite"))
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(first, *greedy, polite)
        return order

    order = asyncio.run(main())
    assert order.index("polite") <= 2  # after at most one of the ten queued before it


def test_a_full_queue_or_a_wait_too_long_is_429_and_the_slot_is_not_lost() -> None:
    async def main() -> None:
        admission, log, release = Admission(1, max_queued=1, max_wait_s=0.05), [], asyncio.Event()
        running = asyncio.create_task(hold(admission, "a", log, release))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(hold(admission, "b", log, release))
        await asyncio.sleep(0)
        with pytest.raises(Overloaded, match="wait already"):
            async with admission.slot("c"):
                pass
        with pytest.raises(Overloaded, match=r"within 0\.05 s"):
            await waiting
        release.set()
        await running
        async with admission.slot("d"):  # the slot came back
            assert admission.running

    asyncio.run(main())


def test_a_waiter_that_goes_away_leaves_the_queue() -> None:
    async def main() -> None:
        admission, log, release = Admission(1, max_queued=5, max_wait_s=5), [], asyncio.Event()
        running = asyncio.create_task(hold(admission, "a", log, release))
        await asyncio.sleep(0)
        gone = asyncio.create_task(hold(admission, "b", log, release))
        await asyncio.sleep(0.01)
        gone.cancel()
        await asyncio.gather(gone, return_exceptions=True)
        assert admission.queued == 0
        release.set()
        await running
        assert not admission.running and log == ["a"]

    asyncio.run(main())
