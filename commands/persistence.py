"""The event store's infrastructure: ``eventsourcing-sqlalchemy`` with a leaner recorder.

The plugin's recorder adds one ORM object per event and reads streams through the ORM; here
the same table, the same lock and the same ordering are kept, but inserts go through one
SQLAlchemy Core ``executemany`` and stream reads through one Core ``select``.
``PERSISTENCE_MODULE=commands.persistence:Factory`` selects this module's ``Factory``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.orm import Session


class LedgerDatastore(SQLAlchemyDatastore):
    """Waits for SQLite's write lock instead of failing at once when processes share a file."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url is not None and url.startswith("sqlite") and "memory" not in url:
            kwargs.setdefault("connect_args", {"timeout": 60})
        if url is not None and url.startswith("postgresql"):
            kwargs.setdefault("pool_pre_ping", True)
        super().__init__(url=url, **kwargs)


class CoreApplicationRecorder(SQLAlchemyApplicationRecorder):
    @property
    def table(self) -> Table:
        table: Table = self.events_record_cls.__table__
        return table

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        self._lock_table(session)
        session.execute(
            self.table.insert(),
            [
                {
                    "originator_id": e.originator_id,
                    "originator_version": e.originator_version,
                    "topic": e.topic,
                    "state": e.state,
                }
                for e in stored_events
            ],
        )
        self._notify_channel(session)
        return []

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

    def select_streams_after(self, known: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        """The events of several streams after the versions already known, in version order,
        in as few queries as the index allows (streams known from version 0 read whole)."""
        columns = self.table.c
        found: dict[UUID, list[StoredEvent]] = {oid: [] for oid in known}
        fresh = [oid for oid, version in known.items() if version == 0]
        cached = [(oid, version) for oid, version in known.items() if version > 0]
        conditions: list[ColumnElement[bool]] = []
        for start in range(0, len(fresh), 900):
            conditions.append(columns.originator_id.in_(fresh[start : start + 900]))
        for start in range(0, len(cached), 200):
            conditions.append(
                or_(
                    *(
                        and_(columns.originator_id == oid, columns.originator_version > version)
                        for oid, version in cached[start : start + 200]
                    )
                )
            )
        with self.transaction(commit=False) as session:
            for condition in conditions:
                query = select(
                    columns.originator_id, columns.originator_version, columns.topic, columns.state
                ).where(condition)
                for oid, version, topic, state in session.execute(query):
                    found[oid].append(StoredEvent(oid, version, topic, bytes(state)))
        for stored in found.values():
            stored.sort(key=lambda e: e.originator_version)
        return found


class Factory(SQLAlchemyFactory):
    datastore_class = LedgerDatastore
    application_recorder_class = CoreApplicationRecorder
