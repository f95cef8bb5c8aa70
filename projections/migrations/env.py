"""Alembic environment: migrates the read models on the connection it is handed, or on
BONDED_DATABASE_URL (default ./bonded.db) when run from the command line."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context
from sqlalchemy import Connection, create_engine

from projections.tables import metadata

VERSION_TABLE = "rm_alembic_version"


def _url() -> str:
    return os.environ.get("BONDED_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'bonded.db'}"


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:  # handed over by projections.schema.upgrade
        _migrate(connection)
        return
    engine = create_engine(_url())
    with engine.begin() as own:
        _migrate(own)
    engine.dispose()


run_migrations()
