"""What every read model's projection is: a name, the tables it alone writes, and its own
position in the event log, moved in the same transaction as its rows.

A projection is handed the recorded events after its own position, in recorded order, and
picks the kinds it cares about by type (``functools.singledispatchmethod``); the rest pass by.
Because each keeps its own position, each can be dropped and rebuilt alone.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, singledispatchmethod
from itertools import groupby
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, and_, insert, select, update
from sqlalchemy.sql.base import Executable

from ledger.events import Event
from projections import tables as t


@dataclass(frozen=True, slots=True)
class Recorded:
    """One event as the log holds it: its position, its version in its stream, its stored
    form, its stream's id (16 bytes), and the event itself."""

    position: int
    version: int
    topic: str
    state: bytes
    stream_id: bytes
    event: Event


class PositionMoved(Exception):
    """Another runner applied events since this one read its position."""


@dataclass(frozen=True, slots=True)
class Tracked:
    """A read model's row in the tracking table."""

    position: int
    version: int  # of the projection's definition that built the rows
    generation: int  # how many times a rebuild was swapped in
    moved_at: datetime | None = None
    rate: float | None = None  # events/s of its last batches

    @property
    def where(self) -> tuple[int, int]:
        """Where a runner left it: moved by anyone else, its caches are stale."""
        return self.position, self.generation


UNTRACKED = Tracked(0, 0, 0)


def tracked(connection: Connection) -> dict[str, Tracked]:
    """Every read model's tracking row, in one statement."""
    c = t.tracking.c
    rows = connection.execute(
        select(c.projection, c.position, c.version, c.generation, c.moved_at, c.rate)
    )
    return {row[0]: Tracked(*row[1:]) for row in rows}


class ReadModelProjection(ABC):
    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    # Raise it when the rows this projection writes for the same events change: a read model
    # built by another version is rebuilt beside the live one and swapped in.
    version: ClassVar[int] = 1
    # The read models whose tables ``apply`` reads: projected by another process, this one
    # is never projected past their position.
    reads: ClassVar[tuple[str, ...]] = ()
    # What projecting an event costs, relative to the others (measured on the hot lot and a
    # province): how the read models are shared between processes.
    weight: ClassVar[int] = 1

    @abstractmethod
    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        """Writes what ``batch`` changes in this projection's tables."""

    def forget(self) -> None:  # noqa: B027 - a projection without caches has nothing to drop
        """Drops any cache (after a failed batch, or before a rebuild)."""

    def advance(
        self,
        connection: Connection,
        old: int,
        new: int,
        generation: int = 0,
        rate: float | None = None,
    ) -> None:
        """Moves the position from ``old`` to ``new``; refuses if it is no longer ``old`` in
        the same generation (another runner, or a rebuild swapped in, moved it)."""
        moved_at = datetime.now(UTC)
        if old == 0 and generation == 0 and self._untracked(connection):
            connection.execute(
                insert(t.tracking).values(
                    projection=self.name,
                    position=new,
                    version=self.version,
                    generation=0,
                    moved_at=moved_at,
                    rate=rate,
                )
            )
            return
        c = t.tracking.c
        moved = connection.execute(
            update(t.tracking)
            .where(and_(c.projection == self.name, c.position == old, c.generation == generation))
            .values(position=new, moved_at=moved_at, rate=rate)
        )
        if moved.rowcount != 1:
            raise PositionMoved(f"{self.name} moved past {old} meanwhile")

    def _untracked(self, connection: Connection) -> bool:
        found = connection.execute(
            select(t.tracking.c.projection).where(t.tracking.c.projection == self.name)
        ).first()
        return found is None

    def clear(self, connection: Connection) -> None:
        """For a rebuild in place: this projection's rows and position go, the events stay."""
        for table in self.tables:
            connection.execute(table.delete())
        connection.execute(t.tracking.delete().where(t.tracking.c.projection == self.name))
        self.forget()


@dataclass(frozen=True, slots=True)
class Write:
    """One row written: a statement kept as a constant, and its parameters."""

    statement: Executable
    params: dict[str, Any]


class Dispatch:
    """A ``singledispatchmethod`` of a projection's class, its function found once per kind
    of event. Looked up on an instance, Python 3.11 builds a new wrapper function each time:
    once per event per projection, a tenth of a catch-up."""

    def __init__(self, method: singledispatchmethod[Any]) -> None:
        self._dispatch = method.dispatcher.dispatch
        self._found: dict[type, Callable[..., Any]] = {}

    def __call__(self, projection: object, event: Event, *args: Any) -> Any:
        kind = type(event)
        found = self._found.get(kind)
        if found is None:
            found = self._found[kind] = self._dispatch(kind)
        return found(projection, event, *args)


@cache
def dispatched(cls: type, name: str) -> Dispatch:
    """The class's ``singledispatchmethod`` called ``name``, ready to call with an instance."""
    method = inspect.getattr_static(cls, name)
    if not isinstance(method, singledispatchmethod):
        raise TypeError(f"{cls.__name__}.{name} is not a singledispatchmethod")
    return Dispatch(method)


class EventByEvent(ReadModelProjection):
    """A projection that writes one row per event of the kinds it keeps: ``project`` is a
    ``singledispatchmethod`` of the subclass answering the ``Write`` an event makes, or None.
    Consecutive writes of the same statement go to the database as one executemany."""

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        project = dispatched(type(self), "project")
        writes = (project(self, recorded.event) for recorded in batch)
        for _, run in groupby((w for w in writes if w is not None), key=_statement):
            first, *rest = run
            connection.execute(first.statement, [first.params, *(w.params for w in rest)])

    @abstractmethod
    def project(self, event: Event) -> Write | None:
        """The row one event writes; the subclass's dispatch by kind."""


def _statement(write: Write) -> int:
    return id(write.statement)  # the same constant, not an equal-looking clause
