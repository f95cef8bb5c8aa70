"""The event store's infrastructure: ``eventsourcing-sqlalchemy`` with a leaner recorder.

The plugin's recorder adds one ORM object per event and reads streams through the ORM; here
the same table, the same lock and the same ordering are kept, but inserts go through one
SQLAlchemy Core ``executemany`` and stream reads through one Core ``select``.
``PERSISTENCE_MODULE=commands.persistence:Factory`` selects this module's ``Factory``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Table, event, select
from sqlalchemy.orm import Session


class LedgerDatastore(SQLAlchemyDatastore):
    """Waits for SQLite's write lock instead of failing at once when processes share a file."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url is not None and url.startswith("sqlite") and "memory" not in url:
            kwargs.setdefault("connect_args", {"timeout": 60})
        super().__init__(url=url, **kwargs)
        if self.engine is not None and self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "connect", _no_jit)


def _no_jit(dbapi_connection: Any, _record: Any) -> None:
    """Our statements are short index look-ups; stale statistics on a fast-growing events
    table made the JIT compile them for 80 ms each."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


class CoreApplicationRecorder(SQLAlchemyApplicationRecorder):
    """Writes and reads the plugin's own table with plain driver statements.

    Same columns, same unique index, same table lock on PostgreSQL, same NOTIFY: only the
    per-row ORM and expression overhead is gone. Identifiers are bound as the plugin's
    ``UUIDType`` stores them: 16 bytes on SQLite, a native ``uuid`` on PostgreSQL.
    """

    @property
    def table(self) -> Table:
        table: Table = self.events_record_cls.__table__
        return table

    @property
    def _qualified_name(self) -> str:
        if self.schema_name:
            return f"{self.schema_name}.{self.events_table_name}"
        return self.events_table_name

    def _is_postgres(self, session: Session) -> bool:
        return session.get_bind().dialect.name == "postgresql"

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        self._lock_table(session)
        columns = "(originator_id, originator_version, topic, state)"
        cursor = session.connection().connection.cursor()
        with _driver_errors(session):
            self._insert_rows(session, cursor, columns, stored_events)
        self._notify_channel(session)
        return []

    def _lock_table(self, session: Session) -> None:
        """As the plugin: one writer at a time on PostgreSQL, so ids commit in order."""
        if self._is_postgres(session):
            cursor = session.connection().connection.cursor()
            cursor.execute(f"LOCK TABLE {self._qualified_name} IN EXCLUSIVE MODE")

    def _notify_channel(self, session: Session) -> None:
        if self._is_postgres(session):
            cursor = session.connection().connection.cursor()
            cursor.execute(f"NOTIFY {self.channel_name}")

    def _insert_rows(
        self, session: Session, cursor: Any, columns: str, stored_events: Sequence[StoredEvent]
    ) -> None:
        if self._is_postgres(session):
            from psycopg2.extras import execute_values

            as_text = [
                (str(e.originator_id), e.originator_version, e.topic, e.state)
                for e in stored_events
            ]
            execute_values(
                cursor,
                f"INSERT INTO {self._qualified_name} {columns} VALUES %s",
                as_text,
                template="(%s::uuid, %s, %s, %s)",
                page_size=1000,
            )
        else:
            rows = [
                (_uuid(e.originator_id).bytes, e.originator_version, e.topic, e.state)
                for e in stored_events
            ]
            cursor.executemany(
                f"INSERT INTO {self._qualified_name} {columns} VALUES (?, ?, ?, ?)", rows
            )

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        columns = self.table.c
        query = select(columns.originator_version, columns.topic, columns.state).where(
            columns.originator_id == originator_id
        )
        if gt is not None:
            query = query.where(columns.originator_version > gt)
        if lte is not None:
            query = query.where(columns.originator_version <= lte)
        order = columns.originator_version.desc() if desc else columns.originator_version
        query = query.order_by(order)
        if limit is not None:
            query = query.limit(limit)
        with self.transaction(commit=False) as session:
            rows = session.execute(query).all()
        return [
            StoredEvent(originator_id, version, topic, bytes(state))
            for version, topic, state in rows
        ]

    def notification_rows(self, after: int, limit: int) -> list[tuple[int, int, str, bytes]]:
        """(notification id, version, topic, state) after ``after``, in recorded order."""
        with self.transaction(commit=False) as session:
            cursor = session.connection().connection.cursor()
            marker = "%s" if self._is_postgres(session) else "?"
            with _driver_errors(session):
                cursor.execute(
                    "SELECT id, originator_version, topic, state "
                    f"FROM {self._qualified_name} WHERE id > {marker} ORDER BY id LIMIT {marker}",
                    (after, limit),
                )
                rows = cursor.fetchall()
        return [(nid, version, topic, bytes(state)) for nid, version, topic, state in rows]

    def select_streams_after(self, known: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        """The events of several streams after the versions already known, in version order:
        one indexed join per few hundred streams."""
        found: dict[UUID, list[StoredEvent]] = {oid: [] for oid in known}
        if not known:
            return found
        items = list(known.items())
        with self.transaction(commit=False) as session:
            postgres = self._is_postgres(session)
            cursor = session.connection().connection.cursor()
            for start in range(0, len(items), 400):
                chunk = items[start : start + 400]
                self._select_chunk(postgres, cursor, chunk, found, session)
        for stored in found.values():
            stored.sort(key=lambda e: e.originator_version)
        return found

    def _select_chunk(
        self,
        postgres: bool,
        cursor: Any,
        chunk: list[tuple[UUID, int]],
        found: dict[UUID, list[StoredEvent]],
        session: Session,
    ) -> None:
        if postgres and len(chunk) == 1:  # the common single-command case: cheapest to plan
            ((oid, known_version),) = chunk
            sql = (
                "SELECT originator_id, originator_version, topic, state "
                f"FROM {self._qualified_name} WHERE originator_id = %s::uuid "
                "AND originator_version > %s"
            )
            with _driver_errors(session):
                cursor.execute(sql, (str(oid), known_version))
                rows = cursor.fetchall()
            for _, version, topic, state in rows:
                found[oid].append(StoredEvent(oid, version, topic, bytes(state)))
            return
        if postgres:
            # the unique index is always the way in; a growing table's stale statistics
            # otherwise lead the planner to scan the whole table
            cursor.execute("SET LOCAL enable_seqscan = off")
            values = ",".join(["(%s::uuid, %s)"] * len(chunk))
            params: list[Any] = [p for oid, v in chunk for p in (str(oid), v)]
        else:
            values = ",".join(["(?, ?)"] * len(chunk))
            params = [p for oid, v in chunk for p in (oid.bytes, v)]
        with _driver_errors(session):
            cursor.execute(
                f"WITH known(oid, v) AS (VALUES {values}) "
                "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                f"FROM {self._qualified_name} e JOIN known k "
                "ON e.originator_id = k.oid AND e.originator_version > k.v",
                params,
            )
            rows = cursor.fetchall()
        for oid, version, topic, state in rows:
            key = _uuid(oid)
            found[key].append(StoredEvent(key, version, topic, bytes(state)))


@contextmanager
def _driver_errors(session: Session) -> Iterator[None]:
    """The driver's own errors, as the library's: a taken version is an ``IntegrityError``."""
    dbapi: Any = session.get_bind().dialect.dbapi
    try:
        yield
    except dbapi.IntegrityError as error:
        raise IntegrityError(error) from error
    except dbapi.OperationalError as error:
        raise OperationalError(error) from error


def _uuid(value: UUID | str | bytes) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes | memoryview):
        return UUID(bytes=bytes(value))
    return UUID(value)


class Factory(SQLAlchemyFactory):
    datastore_class = LedgerDatastore
    application_recorder_class = CoreApplicationRecorder
