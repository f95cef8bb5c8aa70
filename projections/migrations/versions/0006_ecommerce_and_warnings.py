"""e-commerce read models (goods lists, stop notices, licences, deductions, orders), what
warnings are raised from, and the push tables (subscriptions, warnings made known, deliveries)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 12:00:00

New tables only; the read models already there keep their rows and positions. The new read
models project the whole log on their next catch-up. The tables are created from their
definitions as of this revision (``projections.tables``); a later change to one of them comes
with a migration of its own that alters it.
"""

from __future__ import annotations

from alembic import op

from projections import tables as t

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ECOMMERCE_TABLES = (  # as they were then: rm_allowance_uses came with 0008
    t.goods_lists,
    t.goods_list_entries,
    t.stop_notices,
    t.licences,
    t.licence_lines,
    t.deductions,
    t.orders,
)
NEW_TABLES = (*ECOMMERCE_TABLES, t.warning_facts, t.reports, *t.PUSH_TABLES)


def upgrade() -> None:
    bind = op.get_bind()
    for table in NEW_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(NEW_TABLES):
        table.drop(bind)
