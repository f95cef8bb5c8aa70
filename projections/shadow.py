"""A place beside the live read models where a rebuild builds them anew.

On PostgreSQL it is a schema of the same database; on SQLite a database file beside the
ledger's, attached to every connection of an engine of its own. Statements reach it through
SQLAlchemy's ``schema_translate_map``: the read models' tables, named as they always are, are
read and written in the shadow on a connection translated to it, and in the live schema on
any other, so a projection does not know where it writes.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, Engine, Table, create_engine, event, text


class Shadow:
    def __init__(self, live: Engine, schema: str | None = None) -> None:
        """A new shadow, or (given ``schema``) one another process is building."""
        self.live_engine = live
        self.schema = schema or f"rebuild_{uuid4().hex[:12]}"
        self.path: Path | None = None
        if live.dialect.name == "sqlite":
            database = live.url.database
            if not database or database == ":memory:" or "mode=memory" in str(live.url):
                raise ValueError("a rebuild beside the live read models needs a database file")
            self.path = Path(database).resolve().with_name(f"{Path(database).name}.{self.schema}")
            self.engine = create_engine(live.url, connect_args={"timeout": 60})
            event.listen(self.engine, "connect", self._attach)
        elif live.dialect.name == "postgresql":
            self.engine = live
        else:
            raise ValueError(f"no rebuild beside the live read models on {live.dialect.name}")

    def _attach(self, dbapi_connection: Any, _record: Any) -> None:
        # a scratch file: what a crash leaves of it is dropped, so it is written unsynced
        dbapi_connection.execute(f"ATTACH DATABASE ? AS {self.schema}", (str(self.path),))
        dbapi_connection.execute(f"PRAGMA {self.schema}.journal_mode = MEMORY")
        dbapi_connection.execute(f"PRAGMA {self.schema}.synchronous = OFF")

    def translated(self, connection: Connection) -> Connection:
        """This connection, its read models' tables in the shadow from now on (SQLAlchemy 2
        sets execution options on the connection itself: ``live`` turns it back)."""
        return connection.execution_options(schema_translate_map={None: self.schema})

    @staticmethod
    def live(connection: Connection) -> Connection:
        """This connection, its read models' tables the live ones again."""
        return connection.execution_options(schema_translate_map=None)

    def create(self, tables: tuple[Table, ...]) -> None:
        with self.engine.begin() as connection:
            if self.path is None:
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            shadow = self.translated(connection)
            for table in tables:
                table.create(shadow)

    def qualified(self, table: Table) -> str:
        return f'"{self.schema}"."{table.name}"'

    def drop(self) -> None:
        """Whatever is left of the shadow goes: after the swap, or after a failed rebuild."""
        if self.path is None:
            with self.live_engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            return
        self.engine.dispose()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").unlink()
