"""each buyer's use of its exempt quantities as the decision records it (AllowanceUsed, ended
by AllowanceGivenBack), for the allowance question

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:45:00

A new table of the e-commerce read model, whose projection (version 2) is then rebuilt beside
the live one on the next catch-up, filling it from the whole log.
"""

from __future__ import annotations

from alembic import op

from projections import tables as t

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    t.allowance_uses.create(op.get_bind())


def downgrade() -> None:
    t.allowance_uses.drop(op.get_bind())
