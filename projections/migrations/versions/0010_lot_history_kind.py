"""an index of each lot's history by kind: a lot's storage-clock marks (extensions, moves,
transfers, splits, holds) and its lineage are found among its few such entries, at the same
cost on a lot of 100,000 ex-warehousings or orders as on a fresh one

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("rm_lot_history_kind", "rm_lot_history", ["lot_id", "kind"])


def downgrade() -> None:
    op.drop_index("rm_lot_history_kind", table_name="rm_lot_history")
