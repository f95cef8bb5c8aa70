"""The event store's configuration: ``eventsourcing-sqlalchemy``'s factory with the ledger's
datastore settings and recorder. ``PERSISTENCE_MODULE=commands.persistence:Factory``."""

from __future__ import annotations

from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import event

from commands.recorder import LedgerRecorder, SnapshotRecorder

POOL_SIZE = 20


class LedgerDatastore(SQLAlchemyDatastore):
    """Waits for SQLite's write lock instead of failing at once when processes share a file."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url is not None and url.startswith("sqlite") and "memory" not in url:
            kwargs.setdefault("connect_args", {"timeout": 60})
        elif url is not None and url.startswith("postgresql"):
            # as many kept connections as the server runs commands at once: a connection
            # past the pool is opened and closed again for every command (~3 ms each)
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", POOL_SIZE)
            # a connection the server dropped (restarted, failed over) is replaced when next
            # taken from the pool, not handed to a command that would then fail on it
            kwargs.setdefault("pool_pre_ping", True)
        super().__init__(url=url, **kwargs)
        if self.engine is not None and self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "connect", _no_jit)
        elif self.engine is not None and self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _durable)


def _durable(dbapi_connection: Any, _record: Any) -> None:
    """Every commit on SQLite reaches the disk before it is acknowledged: WAL (set on the file
    by the event store) with ``synchronous=FULL`` (the WAL synced at each commit; NORMAL would
    lose the last commits acknowledged before a power cut, not before a crash of the process).
    docs/deploy.md, "Durability"."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _no_jit(dbapi_connection: Any, _record: Any) -> None:
    """Our statements are short index look-ups; stale statistics on a fast-growing events
    table made the JIT compile them for 80 ms each."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    # acknowledged only once flushed to the WAL on disk (and, in a cluster, as the server's
    # synchronous_standby_names asks): whatever postgresql.conf says (docs/deploy.md)
    cursor.execute("SET synchronous_commit = on")
    cursor.close()
    dbapi_connection.commit()


class Factory(SQLAlchemyFactory):
    datastore_class = LedgerDatastore
    application_recorder_class = LedgerRecorder
    aggregate_recorder_class = SnapshotRecorder  # only for the snapshots
