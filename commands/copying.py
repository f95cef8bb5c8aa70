"""Stored events copied from one event store into another exactly as stored (positions, stream
ids, versions, topics, states): what a replay of the ledger as known at a moment starts from.
Recorded moments grow with positions (one writer at a time takes both), so "known at T" is
every position up to the last event recorded at or before T."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text

from commands.store import EventStore

PAGE = 5000


def last_position_known_at(store: EventStore, moment: datetime) -> int:
    """The last position recorded at or before ``moment`` (0: none)."""
    low, high = 0, store.head()
    while low < high:  # the first position recorded after the moment, by halves
        middle = (low + high + 1) // 2
        (found,) = store.notifications(middle - 1, 1)
        if store.decode(found.topic, found.state).recorded_at <= moment:
            low = middle
        else:
            high = middle - 1
    return low


def copy_stored(
    source: EventStore,
    target: EventStore,
    until: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Copies the stored events up to position ``until`` from ``source`` into ``target``."""
    _copy(source, target, until, progress)


def stream_uuid(value: Any) -> UUID:
    """A stream id as either backend gives it back (16 bytes, or a uuid)."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes | memoryview):
        return UUID(bytes=bytes(value))
    return UUID(str(value))


def _copy(
    source_store: EventStore,
    target_store: EventStore,
    until: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    source, source_table = source_store.engine, source_store.table
    target, target_table = target_store.engine, target_store.table
    columns = "id, originator_id, originator_version, topic, state"
    after = 0
    while after < until:
        with source.connect() as connection:
            rows = connection.execute(
                text(
                    f"SELECT {columns} FROM {source_table} WHERE id > :after AND id <= :until "
                    f"ORDER BY id LIMIT {PAGE}"
                ),
                {"after": after, "until": until},
            ).all()
        if not rows:
            return
        postgres = target.dialect.name == "postgresql"
        with target.begin() as connection:
            connection.execute(
                text(f"INSERT INTO {target_table} ({columns}) VALUES (:i, :o, :v, :t, :s)"),
                [
                    {
                        "i": r[0],
                        "o": str(stream_uuid(r[1])) if postgres else stream_uuid(r[1]).bytes,
                        "v": r[2],
                        "t": r[3],
                        "s": bytes(r[4]),
                    }
                    for r in rows
                ],
            )
        after = rows[-1][0]
        if progress is not None:
            progress(after, until)
