"""lot states on both time axes; every lot event has a lot history row, for stock cards

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 18:00:00

Holdings are answered from ``rm_lot_states`` (one range on each time axis); stock cards and
settlements from the lot history, whose rows gain the event's kind and related lot, holds and
reversals now with rows of their own. The lot history read model is emptied and its position
reset, so the next catch-up projects it again (the other read models keep theirs).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import projections.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM rm_lot_history"))
    op.execute(sa.text("DELETE FROM rm_lot_origins"))
    op.execute(sa.text("DELETE FROM rm_tracking WHERE projection = 'lot_history'"))
    with op.batch_alter_table("rm_lot_history") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=64), nullable=False))
        batch.add_column(sa.Column("related_lot_id", sa.String(length=120), nullable=True))
    op.create_table(
        "rm_lot_states",
        sa.Column("lot_id", sa.String(length=120), nullable=False),
        sa.Column("effective_from", projections.tables.UTCDateTime(), nullable=False),
        sa.Column("recorded_from", projections.tables.UTCDateTime(), nullable=False),
        sa.Column("effective_to", projections.tables.UTCDateTime(), nullable=False),
        sa.Column("recorded_to", projections.tables.UTCDateTime(), nullable=False),
        sa.Column("warehouse_id", sa.String(length=64), nullable=False),
        sa.Column("goods_owner_tax_code", sa.String(length=64), nullable=False),
        sa.Column("contract_no", sa.String(length=64), nullable=True),
        sa.Column("declared_expires_on", sa.Date(), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.String(length=40), nullable=False),
        sa.Column("in_transit", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("lot_id", "effective_from", "recorded_from"),
    )
    op.create_index(
        "rm_lot_states_warehouse",
        "rm_lot_states",
        ["warehouse_id", "recorded_to", "effective_to"],
    )
    op.create_index(
        "rm_lot_states_owner",
        "rm_lot_states",
        ["goods_owner_tax_code", "recorded_to", "effective_to"],
    )


def downgrade() -> None:
    op.drop_index("rm_lot_states_owner", table_name="rm_lot_states")
    op.drop_index("rm_lot_states_warehouse", table_name="rm_lot_states")
    op.drop_table("rm_lot_states")
    with op.batch_alter_table("rm_lot_history") as batch:
        batch.drop_column("related_lot_id")
        batch.drop_column("kind")
