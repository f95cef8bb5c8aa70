"""The event store: named streams of ledger events in one ``eventsourcing`` application table.

A stream is named ``kind:key`` (``lot:D1/1``, ``warehouse:W1``…) and stored under the UUID5
of that name. Events are the pure dataclasses of ``ledger.events``; they are stored with
their topic (``module:qualname``) and a JSON body in the format of ``commands.codec``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import cache, lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.persistence import Notification, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic
from eventsourcing_sqlalchemy.datastore import transactions
from sqlalchemy import Connection, Engine

from commands.codec import EventCodec, decode_event, encode_event
from commands.recorder import LedgerRecorder, SnapshotRecorder
from commands.snapshots import Snapshots, Summary
from ledger.events import Event

STREAM_NAMESPACE = uuid5(NAMESPACE_URL, "https://bonded-ledger/streams")


@lru_cache(maxsize=500_000)
def stream_id(name: str) -> UUID:
    return uuid5(STREAM_NAMESPACE, name)


class BondedApplication(Application[UUID]):
    """The library's application, used for its configuration and recorder."""

    name = "Bonded"
    is_snapshotting_enabled = True  # the summaries of long streams (commands.snapshots)

    def construct_transcoder(self) -> Transcoder:
        return EventCodec()


@cache
def _event_class(topic: str) -> type[Event]:
    cls = resolve_topic(topic)
    if not (isinstance(cls, type) and issubclass(cls, Event)):
        raise TypeError(f"{topic} is not a ledger event")
    return cls


_TOPICS: dict[type[Event], str] = {}


def _topic(cls: type[Event]) -> str:
    topic = _TOPICS.get(cls)
    if topic is None:
        topic = _TOPICS[cls] = get_topic(cls)
    return topic


class EventStore:
    def __init__(self, env: dict[str, str]) -> None:
        self.app = BondedApplication(env=env)
        self.recorder = self.app.recorder
        kept = self.app.snapshots.recorder if self.app.snapshots is not None else None
        self.snapshots = (
            Snapshots(kept, _topic, _event_class) if isinstance(kept, SnapshotRecorder) else None
        )

    def close(self) -> None:
        self.app.close()

    def transaction(self) -> AbstractContextManager[Any]:
        """One database transaction around reads and appends; a no-op in memory."""
        if isinstance(self.recorder, LedgerRecorder):
            return self.recorder.transaction(commit=True)
        return nullcontext()

    def connection(self) -> Connection:
        """Inside ``transaction()``: its connection, so that a row of the installation's own
        written on it commits, or rolls back, with the events."""
        if not isinstance(self.recorder, LedgerRecorder):
            raise TypeError("only the SQL event store writes rows beside its events")
        joined = transactions.get(None)  # the plugin's transaction open in this context
        if joined is None:
            raise RuntimeError("no transaction is open to write beside")
        connection: Connection = joined.session.connection()
        return connection

    @property
    def table(self) -> str:
        """The stored events' table, qualified: what the audit verifier and a replay read as
        stored, row by row."""
        return self._sql().qualified_name

    @property
    def engine(self) -> Engine:
        """The SQL engine the events are stored through."""
        engine = self._sql().datastore.engine
        if not isinstance(engine, Engine):
            raise TypeError("the event store has no SQLAlchemy engine")
        return engine

    def _sql(self) -> LedgerRecorder:
        if not isinstance(self.recorder, LedgerRecorder):
            raise TypeError("only the SQL event store has a table")
        return self.recorder

    # --- encoding ---

    def topics(self, kinds: Sequence[type[Event]]) -> list[str]:
        return [_topic(kind) for kind in kinds]

    def encode(self, stream: str, version: int, event: Event) -> StoredEvent:
        return StoredEvent(stream_id(stream), version, _topic(type(event)), encode_event(event))

    def decode(self, topic: str, state: bytes) -> Event:
        return decode_event(_event_class(topic), state)

    # --- reading ---

    def read(self, stream: str) -> list[Event]:
        stored = self.recorder.select_events(stream_id(stream))
        return [self.decode(s.topic, s.state) for s in stored]

    def read_after(self, known: Mapping[str, int]) -> dict[str, list[Event]]:
        """For each stream, its events after the number already known."""
        if not isinstance(self.recorder, LedgerRecorder):  # e.g. the in-memory one
            return {
                name: [
                    self.decode(s.topic, s.state)
                    for s in self.recorder.select_events(stream_id(name), gt=version)
                ]
                for name, version in known.items()
            }
        names = {stream_id(name): name for name in known}
        found = self.recorder.select_streams_after(
            {oid: known[name] for oid, name in names.items()}
        )
        return {
            names[oid]: [self.decode(s.topic, s.state) for s in stored]
            for oid, stored in found.items()
        }

    def summaries(self, streams: Sequence[str]) -> dict[str, tuple[int, Summary]]:
        """The newest summary of each of these streams that has one (none in memory)."""
        if self.snapshots is None or not streams:
            return {}
        return self.snapshots.latest({name: stream_id(name) for name in streams})

    def keep_summaries(self, summaries: Sequence[tuple[str, int, Summary]]) -> None:
        """Stores each stream's summary at its version, in the open transaction."""
        if self.snapshots is not None and summaries:
            self.snapshots.keep([(stream_id(s), v, summary) for s, v, summary in summaries])

    def notifications(
        self, start: int = 0, limit: int = 1000, topics: Sequence[str] = ()
    ) -> list[Notification]:
        """Stored events in recorded order, after position ``start``."""
        return list(
            self.recorder.select_notifications(
                start, limit, topics=topics, inclusive_of_start=False
            )
        )

    def scan(self, topics: Sequence[str] = (), page: int = 5000) -> Iterator[Event]:
        position = 0
        while True:
            batch = self.notifications(position, page, topics)
            if not batch:
                return
            for notification in batch:
                yield self.decode(notification.topic, notification.state)
            position = batch[-1].id

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def stored_at(self, stream: str, version: int) -> tuple[int, bytes] | None:
        """Where a stream's event is stored: its position in the log and its stream's id
        (16 bytes), as the audit hash chain links it; None if it is not stored."""
        oid = stream_id(stream)
        position = self._sql().position_of(oid, version)
        return None if position is None else (position, oid.bytes)

    # --- writing ---

    def append(self, records: Sequence[tuple[str, int, Event]]) -> int | None:
        """Appends every event in one transaction; ``IntegrityError`` if any version is taken.
        Returns the position of the last of them in the log."""
        stored = [self.encode(stream, version, event) for stream, version, event in records]
        positions = self.recorder.insert_events(stored)
        return max(positions) if positions else None
