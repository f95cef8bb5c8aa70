"""indexes for overdue lots per warehouse and per province

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rm_lots") as batch:
        batch.create_index(
            "rm_lots_warehouse_deadline", ["warehouse_id", "has_balance", "deadline"]
        )
        batch.create_index("rm_lots_province_deadline", ["province", "has_balance", "deadline"])


def downgrade() -> None:
    with op.batch_alter_table("rm_lots") as batch:
        batch.drop_index("rm_lots_province_deadline")
        batch.drop_index("rm_lots_warehouse_deadline")
