"""each read model's tracking row keeps the version of its definition, how many times it was
swapped in by a rebuild, and when and how fast it last moved

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:00:00

Rows already there are taken as built by version 1 of their projection, never rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from projections.tables import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "rm_tracking", sa.Column("version", sa.Integer, nullable=False, server_default="1")
    )
    op.add_column(
        "rm_tracking", sa.Column("generation", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column("rm_tracking", sa.Column("moved_at", UTCDateTime()))
    op.add_column("rm_tracking", sa.Column("rate", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("rm_tracking") as batch:
        for name in ("rate", "moved_at", "generation", "version"):
            batch.drop_column(name)
