"""every lot event has a lot history row, with its kind and related lot, for stock cards

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 18:00:00

Stock cards and settlements are answered from the lot history in SQL. Its rows gain the
event's kind and related lot, and holds and reversals now have rows of their own: the lot
history is emptied and its position reset, so the next catch-up projects it again (the other
read models keep theirs).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    with op.batch_alter_table("rm_lot_history") as batch:
        batch.drop_column("related_lot_id")
        batch.drop_column("kind")
