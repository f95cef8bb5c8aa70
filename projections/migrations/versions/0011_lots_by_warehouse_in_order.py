"""the lots of a warehouse with goods in the order of their ids: a page of the lots of many
warehouses is the first rows of one index range per warehouse, merged, at the same cost
however many lots the warehouses hold (replaces the (warehouse_id, has_balance) index, which
it extends); and a declaration's lots by whether they hold goods (a declaration emptied now is
one with none: the settlements and warnings due for emptied declarations ask it of each); and
the recorded warnings in the order a page of warnings reads them (the day each arose, its
kind, its subject); and each warehouse's lot history by effective time (its first goods, from
which it owes periodic reports, is the first row of one range)

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
    op.create_index("rm_lots_declaration_goods", "rm_lots", ["declaration_no", "has_balance"])
    op.drop_index("rm_lots_declaration", table_name="rm_lots")
    op.create_index(  # 0006 made the table from the models, with this index in them today
        "rm_warning_facts_raised",
        "rm_warning_facts",
        ["raised_on", "kind", "subject"],
        if_not_exists=True,
    )

    op.create_index("rm_lot_history_arrivals", "rm_lot_history", ["warehouse_id", "effective_at"])


def downgrade() -> None:
    op.drop_index("rm_lot_history_arrivals", table_name="rm_lot_history")
    op.drop_index("rm_warning_facts_raised", table_name="rm_warning_facts", if_exists=True)
    op.create_index("rm_lots_declaration", "rm_lots", ["declaration_no"])
    op.drop_index("rm_lots_declaration_goods", table_name="rm_lots")
    op.create_index("rm_lots_warehouse", "rm_lots", ["warehouse_id", "has_balance"])
    op.drop_index("rm_lots_warehouse_lot", table_name="rm_lots")
