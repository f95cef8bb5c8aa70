"""The read models' schema: Alembic migrations, run on first use or by ``bonded db upgrade``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "rm_alembic_version"
HEAD = "0011"  # the newest revision in migrations/versions; a test keeps the two equal


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        row = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
        return str(row[0]) if row else None


READ_MODELS_LOCK = 0x626F6E6465645F72  # "bonded_r": one migrator of the read models at a time


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrates in one transaction. Processes that start together queue (an advisory lock on
    PostgreSQL, the write lock on SQLite); each after the first finds the work done."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": READ_MODELS_LOCK}
            )
        elif engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_current(engine: Engine) -> bool:
    """Migrates a database whose read models are missing or behind; True if it did."""
    if current_revision(engine) == HEAD:
        return False
    upgrade(engine)
    return True


def clear_read_models(engine: Engine) -> None:
    """For a rebuild: the read models go, the events stay."""
    from projections.tables import READ_MODEL_TABLES, tracking

    with engine.begin() as connection:
        for table in (*READ_MODEL_TABLES, tracking):
            connection.execute(table.delete())
