"""Replay: every read model as the ledger knew it at a moment, rebuilt in a scratch database.

The stored events recorded up to that moment are copied there exactly as stored (positions,
stream ids, versions, topics, states), then projected from scratch; the source is only read.
Recorded moments grow with positions (one writer at a time takes both), so "known at T" is
every position up to the last event recorded at or before T.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, text

from api.wiring import Ledger
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


def replay(
    source: Ledger,
    target: Ledger,
    moment: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Copies the events known at ``moment`` into ``target`` (which must hold none) and
    projects them: (the last position copied, events projected)."""
    if target.service.store.head():
        raise ValueError("the target database already holds events: replay into an empty one")
    until = last_position_known_at(source.service.store, moment)
    source_table = source.service.store.recorder.qualified_name  # type: ignore[attr-defined]
    target_table = target.service.store.recorder.qualified_name  # type: ignore[attr-defined]
    _copy(source.runner.engine, source_table, target.runner.engine, target_table, until, progress)
    return until, target.runner.rebuild()


def stream_uuid(value: Any) -> UUID:
    """A stream id as either backend gives it back (16 bytes, or a uuid)."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes | memoryview):
        return UUID(bytes=bytes(value))
    return UUID(str(value))


def _copy(
    source: Engine,
    source_table: str,
    target: Engine,
    target_table: str,
    until: int,
    progress: Callable[[int, int], None] | None,
) -> None:
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
