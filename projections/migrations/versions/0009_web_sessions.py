"""the pages' sign-ins: one row a session, the cookie's secret kept as its SHA-256 only

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:40:00
"""

from __future__ import annotations

from alembic import op

from projections import tables as t

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    t.web_sessions.create(op.get_bind())


def downgrade() -> None:
    t.web_sessions.drop(op.get_bind())
