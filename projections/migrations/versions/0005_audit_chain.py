"""the audit chain: a SHA-256 hash chain over every stored event

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 20:40:00

A new read model of its own (``audit_chain``); its follower chains the whole log on its next
catch-up. The other read models keep their rows and positions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rm_audit_chain",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("row_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )


def downgrade() -> None:
    op.drop_table("rm_audit_chain")
