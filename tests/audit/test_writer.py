"""The audit writer keeps the store off the hot path: with PostgreSQL stopped mid-run every
request is still answered, /ready and /metrics say the store is degraded, and the buffered records
are written once it is back; a full buffer drops records and counts them; shutdown flushes; the
retention sweep removes old records and is itself recorded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from app.audit.record import Entry, Row
from app.audit.store import AuditStore, database_url, verify
from app.audit.writer import AuditMetrics, AuditWriter, Retention
from lab.postgres import PostgresCluster
from tests.audit.test_admin_routes import written
from tests.fakes import fake_app


def metric(text: str, name: str) -> float:
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name))


def count_records(url: str) -> int:
    async def run() -> int:
        store = AuditStore(url)
        try:
            return await store.count()
        finally:
            await store.close()

    return asyncio.run(run())


def test_stopping_postgres_mid_run_fails_no_request(postgres: PostgresCluster, postgres_url: str) -> None:
    url = database_url(postgres_url, Path())
    assert url is not None
    with fake_app(trace_db=postgres_url, trace_timeout_s=1.0) as app:
        c = app.client
        for _ in range(3):
            assert c.post("/solve", json={"problem": "1+2", "n": 2}).status_code == 200
        written(app.app)
        assert c.get("/ready").json()["audit"] == "ok"
        postgres.stop("immediate")
        try:
            during = [c.post("/solve", json={"problem": "1+2", "n": 2}) for _ in range(5)]
            assert [r.status_code for r in during] == [200] * 5
            deadline = time.monotonic() + 15
            while c.get("/ready").json()["audit"] != "degraded":
                assert time.monotonic() < deadline
                time.sleep(0.1)
            ready = c.get("/ready")
            assert ready.status_code == 200 and "failing" in ready.json()["audit_detail"]
            assert metric(c.get("/metrics").text, "bon_audit_write_failures_total") >= 1
        finally:
            postgres.start()
        written(app.app, timeout_s=30)  # the buffered records, once the database is back
        assert c.get("/ready").json()["audit"] == "ok"
    assert count_records(url) == 8
    assert asyncio.run(_verified(url))


async def _verified(url: str) -> bool:
    store = AuditStore(url)
    try:
        return (await verify(store)).ok
    finally:
        await store.close()


def test_a_full_buffer_drops_records_and_counts_them(postgres: PostgresCluster, postgres_url: str) -> None:
    with fake_app(trace_db=postgres_url, trace_buffer=2, trace_timeout_s=1.0, trace_flush_s=0.5) as app:
        c = app.client
        c.post("/solve", json={"problem": "1+2", "n": 2})
        written(app.app)
        postgres.stop("immediate")
        try:
            answers = [c.post("/solve", json={"problem": "1+2", "n": 2}).status_code for _ in range(8)]
            assert answers == [200] * 8
            metrics = c.get("/metrics").text
            assert metric(metrics, 'bon_audit_records_dropped_total{reason="buffer_full"}') >= 4
            assert "dropped" in (c.get("/ready").json()["audit_detail"] or "") or "failing" in (
                c.get("/ready").json()["audit_detail"] or ""
            )
        finally:
            postgres.start()


def test_shutdown_writes_what_is_buffered(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with fake_app(trace_db=db) as app:
        for _ in range(6):
            app.client.post("/solve", json={"problem": "1+2", "n": 2})
    # the app has shut down; nothing was waited for before
    url = database_url(db, tmp_path)
    assert url is not None and count_records(url) == 6


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_retention_sweep_removes_old_records_and_records_itself(tmp_path: Path, anyio_backend: str) -> None:
    url = database_url(None, tmp_path)
    assert url is not None
    now = datetime.now(UTC)
    clock = {"now": now}
    writer = AuditWriter(
        AuditStore(url), AuditMetrics(CollectorRegistry()), retention=Retention(30, 3600), clock=lambda: clock["now"]
    )
    writer.start()
    try:
        for i in range(3):
            writer.submit(partial(Entry, "solve", "k", {"i": i}, f"r{i}", created_at=now))
        while writer.pending or not writer.migrated:
            await asyncio.sleep(0.01)
        clock["now"] = now + timedelta(days=31)
        assert await writer.sweep() == 3
        store = writer.store
        (sweep,) = await store.find()
        assert sweep.kind == "sweep" and sweep.seq == 4
        check = await verify(store)
        assert check.ok and check.checked == 1 and check.anchor is not None and check.anchor.seq == 3
    finally:
        await writer.close(1.0)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_records_arriving_together_share_a_transaction_and_the_buffer_is_bounded(
    tmp_path: Path, anyio_backend: str
) -> None:
    url = database_url(None, tmp_path)
    assert url is not None
    registry = CollectorRegistry()
    writer = AuditWriter(AuditStore(url), AuditMetrics(registry), capacity=12, drop_memory_s=0.3)
    calls: list[int] = []
    append = writer.store.append

    async def counted(entries: Sequence[Entry]) -> list[Row]:
        calls.append(len(entries))
        return await append(entries)

    writer.store.append = counted  # type: ignore[method-assign]
    writer.start()
    assert await writer.started(10)
    for i in range(15):  # 12 fit, 3 are dropped
        writer.submit(partial(Entry, "solve", "k", {"i": i}, f"r{i}"))
    while writer.pending:
        await asyncio.sleep(0.01)
    assert calls == [12]  # one transaction for the burst
    assert registry.get_sample_value("bon_audit_records_dropped_total", {"reason": "buffer_full"}) == 3
    assert registry.get_sample_value("bon_audit_records_written_total") == 12
    assert writer.degraded is not None and "3 audit records dropped" in writer.degraded
    await asyncio.sleep(0.3)
    assert writer.degraded is None  # no drop for a while: no longer degraded
    await writer.close(1.0)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_record_json_cannot_hold_is_dropped_and_the_rest_written(tmp_path: Path, anyio_backend: str) -> None:
    url = database_url(None, tmp_path)
    assert url is not None
    registry = CollectorRegistry()
    writer = AuditWriter(AuditStore(url), AuditMetrics(registry))
    writer.start()
    assert await writer.started(10)
    writer.submit(partial(Entry, "solve", "k", {"score": 0.5}, "good-1"))
    writer.submit(partial(Entry, "solve", "k", {"score": float("nan")}, "nan"))
    writer.submit(partial(Entry, "solve", "k", {"score": 0.7}, "good-2"))
    await writer.close(5.0)  # the close writes what is buffered
    store = AuditStore(url)
    try:
        assert [r.request_id for r in await store.find()] == ["good-2", "good-1"]
    finally:
        await store.close()
    assert registry.get_sample_value("bon_audit_records_dropped_total", {"reason": "unserializable"}) == 1
    assert registry.get_sample_value("bon_audit_records_dropped_total", {"reason": "shutdown"}) is None
