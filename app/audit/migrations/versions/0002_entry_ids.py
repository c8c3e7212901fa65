"""Entry ids: a batch written again after a timeout that hid its commit is not recorded twice.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new nullable column and index: no row is updated (the append-only trigger stays quiet).
    op.add_column("audit_records", sa.Column("entry_id", sa.String(32), nullable=True))
    op.create_index("ux_audit_records_entry_id", "audit_records", ["entry_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_audit_records_entry_id", "audit_records")
    op.drop_column("audit_records", "entry_id")
