"""lot history on both time axes; declarations exist and are extended from their effective time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:00:00

The new tables need every event projected again: the read models are emptied and their
position reset, so the next catch-up rebuilds them from the event store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import projections.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

EMPTIED = (
    "rm_lots",
    "rm_lot_events",
    "rm_lot_parties",
    "rm_warehouses",
    "rm_contracts",
    "rm_contract_extensions",
    "rm_declarations",
    "rm_tracking",
)


def upgrade() -> None:
    op.create_table(
        "rm_lot_history",
        sa.Column("lot_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_at", projections.tables.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", projections.tables.UTCDateTime(), nullable=False),
        sa.Column("reversed_at", projections.tables.UTCDateTime(), nullable=True),
        sa.Column("on_hand_units", sa.BigInteger(), nullable=False),
        sa.Column("on_hand_nanos", sa.BigInteger(), nullable=False),
        sa.Column("in_transit_units", sa.BigInteger(), nullable=False),
        sa.Column("in_transit_nanos", sa.BigInteger(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.String(length=64), nullable=True),
        sa.Column("goods_owner_tax_code", sa.String(length=64), nullable=True),
        sa.Column("sets_terms", sa.Boolean(), nullable=False),
        sa.Column("contract_no", sa.String(length=64), nullable=True),
        sa.Column("declared_expires_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("lot_id", "version"),
    )
    op.create_index("rm_lot_history_warehouse", "rm_lot_history", ["warehouse_id", "lot_id"])
    op.create_index("rm_lot_history_owner", "rm_lot_history", ["goods_owner_tax_code", "lot_id"])
    op.create_table(
        "rm_lot_origins",
        sa.Column("lot_id", sa.String(length=120), nullable=False),
        sa.Column("declaration_no", sa.String(length=64), nullable=False),
        sa.Column("parent_lot_id", sa.String(length=120), nullable=True),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("first_warehoused_on", sa.Date(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("lot_id"),
    )
    op.create_index("rm_lot_origins_declaration", "rm_lot_origins", ["declaration_no"])
    with op.batch_alter_table("rm_declarations") as batch:
        batch.add_column(sa.Column("effective_at", projections.tables.UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("extension_effective_at", projections.tables.UTCDateTime(), nullable=True)
        )
    for table in EMPTIED:
        op.execute(sa.text(f"DELETE FROM {table}"))


def downgrade() -> None:
    with op.batch_alter_table("rm_declarations") as batch:
        batch.drop_column("extension_effective_at")
        batch.drop_column("effective_at")
    op.drop_index("rm_lot_origins_declaration", table_name="rm_lot_origins")
    op.drop_table("rm_lot_origins")
    op.drop_index("rm_lot_history_owner", table_name="rm_lot_history")
    op.drop_index("rm_lot_history_warehouse", table_name="rm_lot_history")
    op.drop_table("rm_lot_history")
