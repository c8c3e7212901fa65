"""The audit store's tables (SQLAlchemy Core; the migrations create them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, MetaData, String, Table, Text

metadata = MetaData()

records = Table(
    "audit_records",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),  # unique: two appenders cannot both link
    Column("kind", String(16), nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("key_id", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),  # UTC, one fixed format: sorts as it reads, hashed as stored
    Column("stored", Boolean, nullable=False),
    Column("body", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("entry_id", String(32), nullable=True),
    Index("ix_audit_records_request_id", "request_id"),
    Index("ux_audit_records_entry_id", "entry_id", unique=True),
    Index("ix_audit_records_key_id_seq", "key_id", "seq"),
    Index("ix_audit_records_created_at", "created_at"),
)

# Where the chain starts once the retention sweep removed its oldest records.
anchors = Table(
    "audit_anchors",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("swept_at", String(32), nullable=False),
)
