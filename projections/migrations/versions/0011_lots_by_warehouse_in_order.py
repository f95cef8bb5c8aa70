"""the lots of a warehouse with goods in the order of their ids: a page of the lots of many
warehouses is the first rows of one index range per warehouse, merged, at the same cost
however many lots the warehouses hold (replaces the (warehouse_id, has_balance) index, which
it extends)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("rm_lots_warehouse_lot", "rm_lots", ["warehouse_id", "has_balance", "lot_id"])
    op.drop_index("rm_lots_warehouse", table_name="rm_lots")


def downgrade() -> None:
    op.create_index("rm_lots_warehouse", "rm_lots", ["warehouse_id", "has_balance"])
    op.drop_index("rm_lots_warehouse_lot", table_name="rm_lots")
