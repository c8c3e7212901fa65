"""Alembic's environment: migrations run on a connection the caller opened (the store's own
async engine, through `run_sync`), so the service, the CLI and the tests migrate alike."""

from __future__ import annotations

from alembic import context

from app.audit.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the audit migrations through app.audit.store (bon audit migrate), not the alembic CLI")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
