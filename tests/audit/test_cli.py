"""`bon audit migrate` and `bon audit verify` on a real database: an intact chain exits 0, a
tampered row is named and exits 1, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app.audit.record import Entry
from app.audit.store import AuditStore, database_url
from app.cli import cli


async def fill(url: str, tamper: str | None) -> None:
    store = AuditStore(url)
    try:
        for i in range(4):
            await store.append([Entry("solve", "key-a", {"answer": str(i)}, f"r{i}")])
        if tamper is not None:
            async with store.engine.begin() as conn:
                await conn.execute(text(tamper))
    finally:
        await store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bon_audit_verify_finds_a_tampered_row(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        db = f"sqlite:///{tmp_path / 'audit.db'}"
        unguard = "DROP TRIGGER audit_records_append_only"
    else:
        db = request.getfixturevalue("postgres_url")
        request.getfixturevalue("postgres")
        unguard = "ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only"
    url = database_url(db, tmp_path)
    assert url is not None
    runner = CliRunner()
    migrated = runner.invoke(cli, ["audit", "migrate", "--db", db])
    assert migrated.exit_code == 0 and "up to date" in migrated.output
    asyncio.run(fill(url, None))
    intact = runner.invoke(cli, ["audit", "verify", "--db", db])
    assert intact.exit_code == 0, intact.output
    assert "4 records checked" in intact.output and "intact" in intact.output
    asyncio.run(fill(url, unguard))
    asyncio.run(fill(url, "UPDATE audit_records SET key_id = 'key-b' WHERE seq = 2"))
    tampered = runner.invoke(cli, ["audit", "verify", "--db", db])
    assert tampered.exit_code == 1
    assert "record 2: its columns disagree with its hashed body" in tampered.output


def test_verify_without_a_store_says_so() -> None:
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", "none"])
    assert result.exit_code == 2 and "no audit store" in result.output
