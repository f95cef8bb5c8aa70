"""The ledger's application recorder: the plugin's table, written and read with plain driver
statements.

``eventsourcing-sqlalchemy``'s recorder adds one ORM object per event and reads streams
through the ORM, the largest cost of a write. This recorder keeps its table, its unique
index, its table lock on PostgreSQL (so notification ids commit in order) and its NOTIFY,
and overrides only the public ``insert_events`` and ``select_events`` of
``SQLAlchemyApplicationRecorder`` (eventsourcing-sqlalchemy 1.0.1, pinned). From the plugin
it uses ``transaction()``, ``events_record_cls.__table__``, ``events_table_name``,
``schema_name`` and ``channel_name``. The library's own ``ApplicationRecorderTestCase``
runs against it on SQLite and PostgreSQL (tests/integration/test_recorder.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyAggregateRecorder,
    SQLAlchemyApplicationRecorder,
)
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

Row = tuple[int, int, str, bytes, bytes]  # id, version in its stream, topic, state, stream id


EVENT_TABLES_LOCK = 0x626F6E6465645F65  # "bonded_e": one creator of the event tables at a time


class Statements:
    """Plain driver statements on one of the plugin's tables."""

    datastore: Any
    events_table_name: str
    schema_name: str | None
    tables: list[Any]

    @property
    def qualified_name(self) -> str:
        if self.schema_name:
            return f"{self.schema_name}.{self.events_table_name}"
        return self.events_table_name

    @property
    def is_postgres(self) -> bool:
        engine = self.datastore.engine
        return engine is not None and engine.dialect.name == "postgresql"

    def create_table(self) -> None:
        """Creates the event tables once, however many processes start together on an empty
        database: on PostgreSQL the creators queue on an advisory lock and find the tables
        there; on SQLite the file's write lock serializes them."""
        engine = self.datastore.engine
        assert isinstance(engine, Engine)
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_TABLES_LOCK}
                )
            elif engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            for table in self.tables:
                table.create(connection, checkfirst=True)

    @property
    def _marker(self) -> str:
        return "%s" if self.is_postgres else "?"

    @property
    def _uuid_marker(self) -> str:
        return "%s::uuid" if self.is_postgres else "?"

    def _bind_uuid(self, oid: UUID) -> str | bytes:
        """As the plugin's ``UUIDType`` stores it: native uuid on PostgreSQL, 16 bytes else."""
        return str(oid) if self.is_postgres else oid.bytes

    def _fetch(self, session: Session, sql: str, params: Sequence[Any]) -> list[Any]:
        cursor = session.connection().connection.cursor()
        with _driver_errors(session):
            cursor.execute(sql, params)
            return list(cursor.fetchall())


class LedgerRecorder(Statements, SQLAlchemyApplicationRecorder):
    # --- the library's interface ---

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        session: Session | None = None,
        **kwargs: Any,
    ) -> Sequence[int]:
        """Appends in one transaction (the caller's ``session``'s, if given); returns the
        notification ids. ``IntegrityError`` if any (stream, version) is taken."""
        if session is not None:
            return self._append(session, stored_events)
        with self.transaction(commit=True) as own:
            return self._append(own, stored_events)

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        oid = _uuid(originator_id)
        sql = (
            f"SELECT originator_version, topic, state FROM {self.qualified_name} "
            f"WHERE originator_id = {self._uuid_marker}"
        )
        params: list[Any] = [self._bind_uuid(oid)]
        if gt is not None:
            sql += f" AND originator_version > {self._marker}"
            params.append(gt)
        if lte is not None:
            sql += f" AND originator_version <= {self._marker}"
            params.append(lte)
        sql += " ORDER BY originator_version" + (" DESC" if desc else "")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self.transaction(commit=False) as session:
            rows = self._fetch(session, sql, params)
        return [StoredEvent(oid, version, topic, bytes(state)) for version, topic, state in rows]

    # --- what the ledger adds ---

    def notification_rows(self, after: int, limit: int) -> list[Row]:
        """(notification id, version, topic, state, the stream's 16 UUID bytes) after
        ``after``, in recorded order: every column of the stored event."""
        sql = (
            f"SELECT id, originator_version, topic, state, originator_id "
            f"FROM {self.qualified_name} WHERE id > {self._marker} ORDER BY id LIMIT {self._marker}"
        )
        with self.transaction(commit=False) as session:
            rows = self._fetch(session, sql, [after, limit])
        return [
            (nid, version, topic, bytes(state), _uuid(oid).bytes)
            for nid, version, topic, state, oid in rows
        ]

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The log position (notification id) of one stored event, found by the table's
        unique index on (originator_id, originator_version); None if it is not stored."""
        sql = (
            f"SELECT id FROM {self.qualified_name} WHERE originator_id = {self._uuid_marker} "
            f"AND originator_version = {self._marker}"
        )
        with self.transaction(commit=False) as session:
            rows = self._fetch(session, sql, [self._bind_uuid(originator_id), version])
        return int(rows[0][0]) if rows else None

    def select_streams_after(self, known: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        """The events of several streams after the versions already known, in version order:
        one indexed join per few hundred streams."""
        found: dict[UUID, list[StoredEvent]] = {oid: [] for oid in known}
        items = list(known.items())
        if not items:
            return found
        keys: dict[Any, UUID] = {}  # a stream's id as the driver gives it: made a UUID once
        with self.transaction(commit=False) as session:
            for start in range(0, len(items), 400):
                for oid, version, topic, state in self._streams_chunk(
                    session, items[start : start + 400]
                ):
                    key = keys.get(oid)
                    if key is None:
                        key = keys[oid] = _uuid(oid)
                    found[key].append(StoredEvent(key, version, topic, bytes(state)))
        for stored in found.values():
            stored.sort(key=lambda e: e.originator_version)
        return found

    # --- the statements ---

    def _streams_chunk(self, session: Session, chunk: list[tuple[UUID, int]]) -> list[Any]:
        if len(chunk) == 1:  # the common single-command case: cheapest to plan
            ((oid, version),) = chunk
            sql = (
                "SELECT originator_id, originator_version, topic, state "
                f"FROM {self.qualified_name} WHERE originator_id = {self._uuid_marker} "
                f"AND originator_version > {self._marker}"
            )
            return self._fetch(session, sql, [self._bind_uuid(oid), version])
        # on PostgreSQL the unique index is always the way in: a growing table's stale
        # statistics otherwise lead the planner to scan the whole table
        hint = "SET LOCAL enable_seqscan = off; " if self.is_postgres else ""
        pair = f"({self._uuid_marker}, {self._marker})"
        params = [p for oid, version in chunk for p in (self._bind_uuid(oid), version)]
        sql = (
            f"{hint}WITH known(oid, v) AS (VALUES {','.join([pair] * len(chunk))}) "
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM {self.qualified_name} e JOIN known k "
            "ON e.originator_id = k.oid AND e.originator_version > k.v"
        )
        return self._fetch(session, sql, params)

    def _append(self, session: Session, stored_events: Sequence[StoredEvent]) -> list[int]:
        if not stored_events:
            return []
        cursor = session.connection().connection.cursor()
        columns = "(originator_id, originator_version, topic, state)"
        with _driver_errors(session):
            if self.is_postgres:
                return self._append_postgres(cursor, columns, stored_events)
            rows = [
                (_uuid(e.originator_id).bytes, e.originator_version, e.topic, e.state)
                for e in stored_events
            ]
            cursor.executemany(
                f"INSERT INTO {self.qualified_name} {columns} VALUES (?, ?, ?, ?)", rows
            )
            cursor.execute("SELECT last_insert_rowid()")
            (last,) = cursor.fetchone() or (0,)  # one writer at a time: the ids are contiguous
            return list(range(int(last) - len(rows) + 1, int(last) + 1))

    def _append_postgres(
        self, cursor: Any, columns: str, stored_events: Sequence[StoredEvent]
    ) -> list[int]:
        """Lock, notify and insert in one round trip per thousand events. The lock makes one
        writer at a time, so ids commit in the order they are given; NOTIFY is delivered
        at commit wherever it stands in the transaction."""
        ids: list[int] = []
        head = f"LOCK TABLE {self.qualified_name} IN EXCLUSIVE MODE; NOTIFY {self.channel_name}; "
        for start in range(0, len(stored_events), 1000):
            page = stored_events[start : start + 1000]
            values = b",".join(
                cursor.mogrify(
                    "(%s::uuid, %s, %s, %s)",
                    (str(e.originator_id), e.originator_version, e.topic, e.state),
                )
                for e in page
            )
            insert = f"INSERT INTO {self.qualified_name} {columns} VALUES ".encode()
            cursor.execute(
                (head.encode() if start == 0 else b"") + insert + values + b" RETURNING id"
            )
            ids.extend(int(row[0]) for row in cursor.fetchall())
        return ids


class SnapshotRecorder(Statements, SQLAlchemyAggregateRecorder):
    """The plugin's snapshot table (``bonded_snapshots``): the latest summary of a long
    stream, one row per stream (``commands.snapshots``)."""

    def latest(self, oids: Sequence[UUID]) -> dict[UUID, tuple[int, str, bytes]]:
        """Each stream's newest snapshot: its version, topic and state."""
        found: dict[UUID, tuple[int, str, bytes]] = {}
        with self.transaction(commit=False) as session:
            for start in range(0, len(oids), 400):
                chunk = oids[start : start + 400]
                sql = (
                    "SELECT originator_id, originator_version, topic, state "
                    f"FROM {self.qualified_name} WHERE originator_id IN "
                    f"({', '.join([self._uuid_marker] * len(chunk))})"
                )
                for oid, version, topic, state in self._fetch(
                    session, sql, [self._bind_uuid(o) for o in chunk]
                ):
                    key = _uuid(oid)
                    if key not in found or found[key][0] < version:
                        found[key] = (int(version), str(topic), bytes(state))
        return found

    def keep(self, snapshots: Sequence[StoredEvent]) -> None:
        """Stores these snapshots in place of the streams' own, in the caller's transaction
        if one is open (the one recording the event at the snapshot's version: no other
        writer can store one for that version)."""
        with self.transaction(commit=True) as session:
            cursor = session.connection().connection.cursor()
            m, u = self._marker, self._uuid_marker
            with _driver_errors(session):
                for snapshot in snapshots:
                    oid = self._bind_uuid(_uuid(snapshot.originator_id))
                    cursor.execute(
                        f"DELETE FROM {self.qualified_name} WHERE originator_id = {u}", [oid]
                    )
                    cursor.execute(
                        f"INSERT INTO {self.qualified_name} "
                        "(originator_id, originator_version, topic, state) "
                        f"VALUES ({u}, {m}, {m}, {m})",
                        [oid, snapshot.originator_version, snapshot.topic, snapshot.state],
                    )


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
