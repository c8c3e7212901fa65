"""An audit database the release before versioned records wrote (fixtures/legacy_audit.sqlite, by
fixtures/make_legacy_db.py): it migrates and verifies, its answers are rebuilt into today's types
and can think longer, and records written now link after its own in one intact chain. Every test
works on a copy: the committed file is never opened for writing."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from typer.testing import CliRunner

from app.audit.recall import Recall, kept_search_of
from app.audit.record import Entry, content_of, solve_entry
from app.audit.store import AuditStore, verify
from app.cli import cli
from app.core.adaptive import SearchTally
from app.errors import RequestExpired
from app.service.kept import KeptSearch
from app.service.outcome import ChainRecord, PruneEvent, Usage
from app.service.params import SolveParams
from app.web.api_keys import key_id
from tests.audit.test_admin_routes import written
from tests.audit.test_record import outcome
from tests.fakes import PROBLEM, RIGHT, UNFINISHED, WRONG, FakeApp, fake_app

T = TypeVar("T")
LEGACY = Path(__file__).parent / "fixtures" / "legacy_audit.sqlite"
ALICE = "alice-api-key-0123456789"
BOB = "bob-api-key-0123456789ab"
RECORDS = 8  # after the sweep of the first
RIGHT_STEPS = ["37+48=85", "85*3=255", "255-12=243", "A:243"]
WRONG_STEPS = ["37+48=85", "85*3=245", "245-12=233", "A:233"]
FIXED = SolveParams(PROBLEM, 4, 0.8, 96, 11, "min", "prm_weighted_vote")


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    copy = tmp_path / "audit.db"
    shutil.copyfile(LEGACY, copy)
    return copy


def on_store(path: Path, use: Callable[[AuditStore], Awaitable[T]]) -> T:
    async def run() -> T:
        store = AuditStore(f"sqlite+aiosqlite:///{path}")
        try:
            await store.migrate()
            return await use(store)
        finally:
            await store.close()

    return asyncio.run(run())


def kept(path: Path, request_id: str) -> KeptSearch | None:
    async def rebuilt(store: AuditStore) -> KeptSearch | None:
        return kept_search_of(await store.trace(request_id))

    return on_store(path, rebuilt)


def test_the_fixture_is_as_the_release_wrote_it() -> None:
    """No record in it has a version stamp: regenerated with today's code, it would prove nothing."""
    with sqlite3.connect(f"file:{LEGACY}?mode=ro", uri=True) as db:
        bodies = [json.loads(body) for (body,) in db.execute("SELECT body FROM audit_records ORDER BY seq")]
    assert len(bodies) == RECORDS
    assert not any("schema_version" in body["content"] for body in bodies)


def test_a_legacy_database_migrates_and_verifies(legacy: Path) -> None:
    runner = CliRunner()
    migrated = runner.invoke(cli, ["audit", "migrate", "--db", f"sqlite:///{legacy}"])
    assert migrated.exit_code == 0, migrated.output
    verified = runner.invoke(cli, ["audit", "verify", "--db", f"sqlite:///{legacy}"])
    assert verified.exit_code == 0, verified.output
    assert f"{RECORDS} records checked from the sweep's anchor at record 1" in verified.output
    assert "the chain is intact" in verified.output


def test_a_legacy_answer_and_its_continuation_are_rebuilt_into_todays_types(legacy: Path) -> None:
    found = kept(legacy, "legacy-fixed")
    assert found is not None
    assert found.params == FIXED
    assert [c.text for c in found.chains] == [RIGHT, WRONG, RIGHT, UNFINISHED, RIGHT, WRONG]
    assert found.chains[0] == ChainRecord(
        RIGHT, RIGHT_STEPS, [0.9, 0.8, 0.85, 0.95], 0.8, None, "243", True, "stop", 35
    )
    assert found.chains[3] == ChainRecord(UNFINISHED, RIGHT_STEPS[:2], [0.9, 0.7], 0.7, None, None, False, "length", 24)
    assert found.chains[5].steps == WRONG_STEPS and found.chains[5].answer == "233"
    assert found.usage == Usage(16, 199, 295) and found.prunes == ()
    assert found.search == SearchTally(6, 0, 5, 1, 199, "max_chains")
    assert found.continued == 1 and found.owner == key_id(ALICE)


def test_a_legacy_adaptive_answer_keeps_its_budgets_cuts_and_tally(legacy: Path) -> None:
    found = kept(legacy, "legacy-adaptive")
    assert found is not None
    adaptive = replace(FIXED, n=8, temperature=0.7, max_tokens=64, seed=None, strategy="adaptive")
    budgets = replace(adaptive, max_reasoning_tokens=400, max_latency_ms=5000.0)
    assert found.params == replace(budgets, system="Answer with one line per step.", summary="concise")
    assert found.prunes == (PruneEvent(1, 2, 0.04, 18), PruneEvent(3, 1, 0.03, 9))
    assert found.search == SearchTally(4, 2, 2, 0, 97, "decided")
    assert [c.finish_reason for c in found.chains] == ["stop", "aborted", "stop", "aborted"]
    assert found.usage == Usage(16, 97, 161) and found.continued == 0 and found.owner == key_id(BOB)


def test_legacy_records_of_hashes_or_of_an_openai_route_are_not_continued(legacy: Path) -> None:
    assert kept(legacy, "legacy-hidden") is None  # store: false, SHA-256 digests
    assert kept(legacy, "legacy-hmac") is None  # store: false, HMACs, and not continuable


def test_a_legacy_answer_is_recalled_within_its_time_and_expired_after(legacy: Path) -> None:
    last_record = datetime(2026, 1, 15, 9, 10, tzinfo=UTC)

    async def recall_at(minutes: int, store: AuditStore) -> KeptSearch | None:
        moment = last_record.replace(minute=10 + minutes)
        return await Recall(store, ttl_s=600, clock=lambda: moment)("legacy-fixed")

    assert on_store(legacy, lambda store: recall_at(5, store)) is not None
    with pytest.raises(RequestExpired):
        on_store(legacy, lambda store: recall_at(11, store))


def test_records_written_now_link_after_the_legacy_ones_and_continue_them(legacy: Path) -> None:
    grown = replace(solve_entry(outcome(), key_id(ALICE), stored=True, continued=True), request_id="legacy-fixed")

    async def append_and_verify(store: AuditStore) -> tuple[bool, int, KeptSearch | None, int]:
        (row,) = await store.append([grown])
        check = await verify(store)
        return (
            check.ok,
            check.checked,
            kept_search_of(await store.trace("legacy-fixed")),
            content_of(row)["schema_version"],
        )

    ok, checked, found, version = on_store(legacy, append_and_verify)
    assert ok and checked == RECORDS + 1 and version == 2
    assert found is not None and found.continued == 2
    assert found.params.n == 4 and found.params.seed == 11  # the first (legacy) run's
    assert found.chains == tuple(outcome().chains)  # the last (current) run's


def test_a_record_a_newer_release_wrote_is_refused_by_name(legacy: Path, caplog: pytest.LogCaptureFixture) -> None:
    content = {**solve_entry(outcome(), key_id(ALICE), stored=True).content, "schema_version": 99}

    async def recall_future(store: AuditStore) -> KeptSearch | None:
        await store.append([Entry("solve", key_id(ALICE), content, "future")])
        return await Recall(store, ttl_s=1e9)("future")

    assert on_store(legacy, recall_future) is None  # unknown here, as an unreachable store's answers are
    assert "request future cannot be continued by this server: an audit record of schema version 99" in caplog.text
    assert "this server reads versions 1 to 2 (a newer release wrote it)" in caplog.text


def app_on(path: Path) -> AbstractContextManager[FakeApp]:
    # The records are months old: neither expired nor swept.
    db = f"sqlite:///{path}"
    return fake_app(api_keys=[ALICE, BOB], trace_db=db, continue_ttl_s=1e9, trace_retention_days=36500)


def test_a_legacy_answer_thinks_longer_through_the_app(legacy: Path) -> None:
    alice = {"Authorization": f"Bearer {ALICE}"}
    with app_on(legacy) as app:
        more = app.client.post("/solve/legacy-fixed/continue", json={"budget": {"max_chains": 2}}, headers=alice)
        assert more.status_code == 200, more.text
        assert more.json()["chain_counts"]["sampled"] == 8  # the six recorded, and two more
        written(app.app)
    with app_on(legacy) as after:  # recalled again: the legacy record first, a current one last
        again = after.client.post("/solve/legacy-fixed/continue", json={"budget": {"max_chains": 1}}, headers=alice)
        assert again.status_code == 200, again.text
        assert again.json()["chain_counts"]["sampled"] == 9
        written(after.app)
    check = on_store(legacy, verify)
    assert check.ok and check.checked == RECORDS + 2, check.problems
