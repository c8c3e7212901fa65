"""The audit store on a database: SQLite (WAL) in the data directory by default, PostgreSQL by URL
for several API replicas. Async drivers (aiosqlite, asyncpg) under SQLAlchemy; the schema is
migrated with Alembic at start-up (`bon audit migrate` does it ahead).

Appending is optimistic: a batch takes the next sequence numbers after the chain's head in one
transaction; `seq` is the primary key, so when two replicas race for the same place one insert
fails and that batch is linked again after the new head.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, delete, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.audit.record import GENESIS, Anchor, ChainCheck, Entry, Row, chain_row, timestamp
from app.audit.schema import anchors, records
from app.errors import ConfigurationError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
APPEND_ATTEMPTS = 8
_MIGRATION_LOCK = 0x626F6E  # PostgreSQL advisory lock: replicas starting together migrate one at a time


def database_url(setting: str | None, data_dir: Path) -> str | None:
    """The async SQLAlchemy URL of a `BON_TRACE_DB` setting: unset, SQLite in the data directory;
    `none`, no store; `postgresql://…` and `sqlite:///…` get their async drivers."""
    value = (setting or "").strip()  # empty as unset: compose passes unset variables as empty ones
    if not value:
        return f"sqlite+aiosqlite:///{data_dir / 'audit.db'}"
    if value.lower() == "none":
        return None
    scheme, sep, rest = value.partition("://")
    if not sep:
        raise ConfigurationError(f"BON_TRACE_DB={value!r} is not a database URL (postgresql://… or sqlite:///…)")
    drivers = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
    if scheme in drivers:
        if scheme != "sqlite":  # libpq's sslmode is asyncpg's ssl (require, verify-full, …)
            rest = re.sub(r"([?&])sslmode=", r"\1ssl=", rest)
        return f"{drivers[scheme]}://{rest}"
    if scheme in ("postgresql+asyncpg", "sqlite+aiosqlite"):
        return value
    raise ConfigurationError(f"BON_TRACE_DB: unsupported database {scheme!r} (postgresql or sqlite)")


def redacted(url: str) -> str:
    """The URL without its password, for the logs."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at:
        return url
    return f"{scheme}://{credentials.split(':')[0]}:***@{host}"


def _row(mapping: Any) -> Row:
    return Row(
        seq=int(mapping.seq),
        kind=mapping.kind,
        request_id=mapping.request_id,
        key_id=mapping.key_id,
        created_at=mapping.created_at,
        stored=bool(mapping.stored),
        body=mapping.body,
        prev_hash=mapping.prev_hash,
        hash=mapping.hash,
        entry_id=mapping.entry_id,
    )


class AuditStore:
    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
        if self.dialect == "sqlite":
            path = url.partition(":///")[2]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: AsyncEngine = create_async_engine(url, connect_args={"timeout": timeout_s})
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            # A stopped database must fail a write in seconds, not hang the writer.
            self.engine = create_async_engine(
                url,
                pool_pre_ping=True,
                pool_size=4,
                connect_args={"timeout": timeout_s, "command_timeout": timeout_s},
            )

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (a no-op when it is there)."""
        async with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            await conn.run_sync(_upgrade)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def append(self, entries: Sequence[Entry]) -> list[Row]:
        """Link the entries after the chain's head, in one transaction."""
        for attempt in range(APPEND_ATTEMPTS):
            try:
                async with self.engine.begin() as conn:
                    return await self._append(conn, entries)
            except IntegrityError:  # another appender took these places: link again after its records
                log.info("audit append raced another writer (attempt %d); linking again", attempt + 1)
                await asyncio.sleep(0.01 * (attempt + 1))
        raise RuntimeError(f"could not append to the audit chain in {APPEND_ATTEMPTS} attempts")

    async def _append(self, conn: AsyncConnection, entries: Sequence[Entry]) -> list[Row]:
        ids = [entry.entry_id for entry in entries]
        there = set((await conn.execute(select(records.c.entry_id).where(records.c.entry_id.in_(ids)))).scalars())
        entries = [entry for entry in entries if entry.entry_id not in there]  # written by an attempt that timed out
        if not entries:
            return []
        seq, prev = await self._head(conn)
        rows = []
        for entry in entries:
            seq += 1
            row = chain_row(entry, seq, prev)
            rows.append(row)
            prev = row.hash
        await conn.execute(insert(records), [_values(r) for r in rows])
        return rows

    async def _head(self, conn: AsyncConnection) -> tuple[int, str]:
        newest = select(records.c.seq, records.c.hash).order_by(records.c.seq.desc()).limit(1)
        last = (await conn.execute(newest)).first()
        if last is not None:
            return int(last.seq), str(last.hash)
        anchor = await self._anchor(conn)
        return (anchor.seq, anchor.hash) if anchor else (0, GENESIS)

    async def anchor(self) -> Anchor | None:
        async with self.engine.connect() as conn:
            return await self._anchor(conn)

    async def _anchor(self, conn: AsyncConnection) -> Anchor | None:
        found = (await conn.execute(select(anchors).order_by(anchors.c.seq.desc()).limit(1))).first()
        return Anchor(int(found.seq), str(found.hash)) if found else None

    async def trace(self, request_id: str) -> list[Row]:
        """A request's records: its answer and every continuation, in order."""
        query = (
            select(records).where(records.c.request_id == request_id, records.c.kind == "solve").order_by(records.c.seq)
        )
        async with self.engine.connect() as conn:
            return [_row(r) for r in await conn.execute(query)]

    async def find(
        self,
        *,
        key_id: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_seq: int | None = None,
        limit: int = 50,
    ) -> list[Row]:
        """Records newest first, filtered; `before_seq` pages on from the last one seen."""
        query = select(records).order_by(records.c.seq.desc()).limit(limit)
        if key_id is not None:
            query = query.where(records.c.key_id == key_id)
        if kind is not None:
            query = query.where(records.c.kind == kind)
        if since is not None:
            query = query.where(records.c.created_at >= timestamp(since))
        if until is not None:
            query = query.where(records.c.created_at < timestamp(until))
        if before_seq is not None:
            query = query.where(records.c.seq < before_seq)
        async with self.engine.connect() as conn:
            return [_row(r) for r in await conn.execute(query)]

    async def count(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(records))).scalar_one())

    async def rows(self, batch: int = 500) -> AsyncIterator[Row]:
        """Every record, in seq order (for the verifier)."""
        after = -1
        while True:
            query = select(records).where(records.c.seq > after).order_by(records.c.seq).limit(batch)
            async with self.engine.connect() as conn:
                found = [_row(r) for r in await conn.execute(query)]
            for row in found:
                yield row
            if len(found) < batch:
                return
            after = found[-1].seq

    async def sweep(self, cutoff: datetime, now: datetime, retention_days: float) -> Anchor | None:
        """Remove the records older than `cutoff` up to the first one that is not (a prefix of the
        chain: a record stamped by a replica whose clock is wrong cannot take newer ones with it),
        leave the last removed one's hash as the chain's new start, and record the sweep, all in one
        transaction. None when nothing was old enough."""
        async with self.engine.begin() as conn:
            young = (
                await conn.execute(select(func.min(records.c.seq)).where(records.c.created_at >= timestamp(cutoff)))
            ).scalar()
            old = select(records.c.seq, records.c.hash).where(records.c.created_at < timestamp(cutoff))
            if young is not None:
                old = old.where(records.c.seq < young)
            last = (await conn.execute(old.order_by(records.c.seq.desc()).limit(1))).first()
            if last is None:
                return None
            anchor = Anchor(int(last.seq), str(last.hash))
            if self.dialect == "postgresql":
                await conn.execute(text("SELECT set_config('bon.sweep', 'on', true)"))
            await conn.execute(insert(anchors).values(seq=anchor.seq, hash=anchor.hash, swept_at=timestamp(now)))
            await conn.execute(delete(records).where(records.c.seq <= anchor.seq))
            content = {"through_seq": anchor.seq, "through_hash": anchor.hash, "retention_days": retention_days}
            await self._append(conn, [Entry("sweep", "-", content, created_at=now)])
            return anchor

    async def close(self) -> None:
        await self.engine.dispose()


def _values(row: Row) -> dict[str, Any]:
    return {**row.header(), "body": row.body, "prev_hash": row.prev_hash, "hash": row.hash}


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers (the admin routes) never block the writer; a busy database is waited for.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def verify(
    store: AuditStore, on_row: Callable[[Row], None] | None = None, through_seq: int | None = None
) -> ChainCheck:
    """Every record checked against the one before it, from the chain's start (or its anchor), up
    to `through_seq` where given. A retention sweep while it reads moves the start: then it reads
    again from the new one."""
    for _ in range(3):
        anchor = await store.anchor()
        check = ChainCheck(anchor=anchor)
        async for row in store.rows():
            if through_seq is not None and row.seq > through_seq:
                break
            check.feed(row)
            if on_row is not None:
                on_row(row)
        if check.ok or await store.anchor() == anchor:
            return check
    return check
