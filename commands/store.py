"""The event store: named streams of ledger events in one ``eventsourcing`` application table.

A stream is named ``kind:key`` (``lot:D1/1``, ``warehouse:W1``…) and stored under the UUID5
of that name. Events are the pure dataclasses of ``ledger.events``; they are stored with
their topic (``module:qualname``) and a JSON body through the library's transcoder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.application import Application
from eventsourcing.persistence import (
    JSONTranscoder,
    Notification,
    StoredEvent,
    Transcoding,
)
from eventsourcing.utils import get_topic, resolve_topic

from commands.persistence import CoreApplicationRecorder
from ledger.events import Event
from ledger.values import VALUE_TYPES

STREAM_NAMESPACE = uuid5(NAMESPACE_URL, "https://bonded-ledger/streams")


@lru_cache(maxsize=500_000)
def stream_id(name: str) -> UUID:
    return uuid5(STREAM_NAMESPACE, name)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ValueAsDict(Transcoding):
    """A value type nested in an event (a goods line, a seal, a counted lot)."""

    def __init__(self, cls: type) -> None:
        self.type = cls
        self.name = cls.__name__

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


_VALUE_TYPES = frozenset(VALUE_TYPES)
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _marked(value: Any) -> Any:
    """The library transcoder's ``_type_`` markers, so its decoder reads our JSON back."""
    kind = type(value)
    if kind is Decimal:
        return {"_type_": "decimal_str", "_data_": str(value)}
    if kind is datetime:
        return {"_type_": "datetime_iso", "_data_": value.isoformat()}
    if kind is date:
        return {"_type_": "date_iso", "_data_": value.isoformat()}
    if kind in _VALUE_TYPES:
        data = {name: getattr(value, name) for name in _field_names(kind)}
        return {"_type_": kind.__name__, "_data_": data}
    raise TypeError(f"cannot store a {kind.__name__} in an event")


def _state_json(event: Event) -> bytes:
    state = {name: getattr(event, name) for name in _field_names(type(event))}
    return orjson.dumps(state, default=_marked, option=_PASSTHROUGH)


def _from_state(cls: type[Event], state: dict[str, Any]) -> Event:
    for key, value in state.items():
        if isinstance(value, list):
            state[key] = tuple(value)
    return cls(**state)


class BondedApplication(Application[UUID]):
    """The library's application, used for its configuration, recorder and transcoder."""

    name = "Bonded"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        for cls in VALUE_TYPES:
            transcoder.register(ValueAsDict(cls))


class EventStore:
    def __init__(self, env: dict[str, str]) -> None:
        self.app = BondedApplication(env=env)
        self.recorder = self.app.recorder
        self.transcoder = self.app.mapper.transcoder
        self._topics: dict[type, str] = {}

    def close(self) -> None:
        self.app.close()

    def transaction(self) -> AbstractContextManager[Any]:
        """One database transaction around reads and appends; a no-op in memory."""
        transaction = getattr(self.recorder, "transaction", None)
        return transaction(commit=True) if transaction is not None else nullcontext()

    # --- encoding ---

    def encode(self, stream: str, version: int, event: Event) -> StoredEvent:
        cls = type(event)
        topic = self._topics.get(cls)
        if topic is None:
            topic = self._topics[cls] = get_topic(cls)
        return StoredEvent(stream_id(stream), version, topic, _state_json(event))

    def topics(self, kinds: Sequence[type[Event]]) -> list[str]:
        return [get_topic(kind) for kind in kinds]

    def decode(self, topic: str, state: bytes) -> Event:
        cls = resolve_topic(topic)
        if not (isinstance(cls, type) and issubclass(cls, Event)):
            raise TypeError(f"{topic} is not a ledger event")
        return _from_state(cls, self.transcoder.decode(state))

    # --- reading ---

    def read(self, stream: str) -> list[Event]:
        stored = self.recorder.select_events(stream_id(stream))
        return [self.decode(s.topic, s.state) for s in stored]

    def read_after(self, known: Mapping[str, int]) -> dict[str, list[Event]]:
        """For each stream, its events after the number already known."""
        if not isinstance(self.recorder, CoreApplicationRecorder):  # e.g. the in-memory one
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

    # --- writing ---

    def append(self, records: Sequence[tuple[str, int, Event]]) -> None:
        """Appends every event in one transaction; ``IntegrityError`` if any version is taken."""
        stored = [self.encode(stream, version, event) for stream, version, event in records]
        self.recorder.insert_events(stored)
