"""The audit store on a real PostgreSQL (a throw-away cluster) and on SQLite: records round-trip,
the schema refuses plain changes, the verifier finds a tampered row, the retention sweep leaves a
chain that still checks, and appenders racing for the head (two replicas) never fork the chain."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit.record import Entry, content_of, solve_content, solve_entry
from app.audit.store import AuditStore, database_url, verify
from tests.audit.test_record import outcome

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        found = database_url(f"sqlite:///{tmp_path / 'audit.db'}", tmp_path)
    else:
        found = database_url(request.getfixturevalue("postgres_url"), tmp_path)
    assert found is not None
    return found


@pytest.fixture
async def store(url: str) -> AsyncIterator[AuditStore]:
    opened = AuditStore(url)
    await opened.migrate()
    await opened.migrate()  # a second start migrates nothing
    try:
        yield opened
    finally:
        await opened.close()


async def raw(store: AuditStore, sql: str) -> None:
    """What someone with the database's password could do, bypassing the service."""
    async with store.engine.begin() as conn:
        await conn.execute(text(sql))


async def test_every_field_round_trips(store: AuditStore) -> None:
    solved = outcome()
    written = await store.append([solve_entry(solved, "key-abc", stored=True)])
    (row,) = await store.trace("r1")
    assert row == written[0]
    assert (row.seq, row.kind, row.request_id, row.key_id, row.stored) == (1, "solve", "r1", "key-abc", True)
    assert content_of(row) == {**solve_content(solved, stored=True), "continued": False, "continuable": True}


async def test_a_request_and_its_continuations_read_back_in_order_and_filters_work(store: AuditStore) -> None:
    await store.append([solve_entry(outcome(), "key-a", stored=True)])
    await store.append([Entry("read", "admin-1", {"read": "trace"}, "r1")])
    await store.append([solve_entry(outcome(), "key-a", stored=True, continued=True)])
    await store.append([Entry("solve", "key-b", {"answer": "1"}, "r2")])
    trace = await store.trace("r1")
    assert [(r.seq, content_of(r)["continued"]) for r in trace] == [(1, False), (3, True)]
    assert [r.seq for r in await store.find(key_id="key-a")] == [3, 1]
    assert [r.seq for r in await store.find(kind="read")] == [2]
    assert [r.seq for r in await store.find(limit=2)] == [4, 3]
    assert [r.seq for r in await store.find(before_seq=3)] == [2, 1]
    assert await store.find(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert len(await store.find(until=datetime.now(UTC) + timedelta(minutes=1))) == 4


async def test_the_schema_refuses_updates(store: AuditStore) -> None:
    await store.append([solve_entry(outcome(), "key-a", stored=True)])
    with pytest.raises((DBAPIError, sqlite3.DatabaseError)):
        await raw(store, "UPDATE audit_records SET key_id = 'someone-else'")
    if store.dialect == "postgresql":  # and deletes outside the retention sweep
        with pytest.raises(DBAPIError):
            await raw(store, "DELETE FROM audit_records")
    assert (await verify(store)).ok


async def disable_guard(store: AuditStore) -> None:
    if store.dialect == "postgresql":
        await raw(store, "ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only")
    else:
        await raw(store, "DROP TRIGGER audit_records_append_only")


async def test_a_tampered_row_is_found_by_the_verifier(store: AuditStore) -> None:
    for i in range(5):
        await store.append([Entry("solve", "key-a", {"answer": str(i)}, f"r{i}")])
    assert (await verify(store)).ok
    await disable_guard(store)  # a tamperer with the database's password can do this much
    forged = 'UPDATE audit_records SET body = replace(body, \'"answer":"2"\', \'"answer":"9"\') WHERE seq = 3'
    await raw(store, forged)
    found = await verify(store)
    assert found.problems == ["record 3: its hash does not match its content (altered)"]


async def test_a_removed_row_is_found_by_the_verifier(store: AuditStore) -> None:
    for i in range(4):
        await store.append([Entry("solve", "key-a", {"answer": str(i)}, f"r{i}")])
    await disable_guard(store)
    await raw(store, "DELETE FROM audit_records WHERE seq = 2")
    problems = (await verify(store)).problems
    assert problems[0].startswith("record 3: expected record 2 here")


async def test_the_retention_sweep_removes_old_records_and_the_chain_still_checks(store: AuditStore) -> None:
    now = datetime.now(UTC)
    old = [Entry("solve", "k", {"answer": str(i)}, f"old{i}", created_at=now - timedelta(days=40)) for i in range(3)]
    await store.append(old)
    await store.append([Entry("solve", "k", {"answer": "new"}, "new", created_at=now)])
    anchor = await store.sweep(now - timedelta(days=30), now, 30)
    assert anchor is not None and anchor.seq == 3
    sweep, new = await store.find()
    assert new.request_id == "new" and sweep.kind == "sweep" and sweep.seq == 5
    assert content_of(sweep) == {"through_seq": 3, "through_hash": anchor.hash, "retention_days": 30}
    check = await verify(store)
    assert check.ok and check.checked == 2 and check.anchor == anchor
    assert await store.sweep(now - timedelta(days=30), now, 30) is None
    await store.append([Entry("solve", "k", {}, "after")])  # links after the survivors
    assert (await verify(store)).ok


async def test_everything_swept_the_next_record_links_to_the_anchor(store: AuditStore) -> None:
    now = datetime.now(UTC)
    await store.append([Entry("solve", "k", {}, "old", created_at=now - timedelta(days=40))])
    await store.sweep(now - timedelta(days=30), now, 30)
    (row,) = await store.append([Entry("solve", "k", {}, "new")])
    assert row.seq == 3  # after the anchor (1) and the sweep's own record (2)
    assert (await verify(store)).ok


async def test_a_record_with_a_wrong_clock_does_not_take_newer_records_with_it(store: AuditStore) -> None:
    now = datetime.now(UTC)
    await store.append([Entry("solve", "k", {}, "old", created_at=now - timedelta(days=40))])
    await store.append([Entry("solve", "k", {}, "recent", created_at=now)])
    await store.append([Entry("solve", "k", {}, "skewed", created_at=now - timedelta(days=45))])  # a bad clock
    anchor = await store.sweep(now - timedelta(days=30), now, 30)
    assert anchor is not None and anchor.seq == 1
    assert {r.request_id for r in await store.find(kind="solve")} == {"recent", "skewed"}
    assert (await verify(store)).ok


async def test_a_batch_written_again_is_not_recorded_twice(store: AuditStore) -> None:
    """What the writer does when a timeout hid a commit: the same entries again."""
    batch = [Entry("solve", "k", {"i": i}, f"r{i}") for i in range(3)]
    assert len(await store.append(batch)) == 3
    assert await store.append(batch) == []
    assert [r.seq for r in await store.append([*batch, Entry("solve", "k", {}, "new")])] == [4]
    assert await store.count() == 4 and (await verify(store)).ok


async def test_two_appenders_racing_never_fork_the_chain(url: str, store: AuditStore) -> None:
    """Two replicas on one database: each batch finds its place after the other's."""
    other = AuditStore(url)
    try:

        async def write(appender: AuditStore, who: str) -> None:
            for i in range(25):
                await appender.append([Entry("solve", who, {"i": i}, f"{who}-{i}")])

        await asyncio.gather(write(store, "a"), write(other, "b"))
    finally:
        await other.close()
    check = await verify(store)
    assert check.ok, check.problems
    assert check.checked == 50


def test_database_urls_get_their_async_drivers(tmp_path: Path) -> None:
    assert database_url(None, tmp_path) == f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    assert database_url("none", tmp_path) is None
    assert database_url("", tmp_path) == database_url(None, tmp_path)
    assert database_url("postgresql://u:p@db/bon", tmp_path) == "postgresql+asyncpg://u:p@db/bon"
    assert database_url("postgres://db/bon", tmp_path) == "postgresql+asyncpg://db/bon"
    assert database_url("postgresql://db/bon?sslmode=require", tmp_path) == "postgresql+asyncpg://db/bon?ssl=require"
    assert database_url("sqlite:////var/bon/a.db", tmp_path) == "sqlite+aiosqlite:////var/bon/a.db"
    from app.errors import ConfigurationError

    for bad in ("mysql://db/bon", "audit.db"):
        with pytest.raises(ConfigurationError):
            database_url(bad, tmp_path)


async def test_the_verifier_checks_up_to_a_record_when_asked(store: AuditStore) -> None:
    for i in range(5):
        await store.append([Entry("solve", "key-a", {"answer": str(i)}, f"r{i}")])
    await disable_guard(store)
    await raw(store, 'UPDATE audit_records SET body = replace(body, \'"answer":"3"\', \'"answer":"8"\') WHERE seq = 4')
    before = await verify(store, through_seq=3)
    assert before.ok and before.checked == 3
    assert not (await verify(store, through_seq=4)).ok
