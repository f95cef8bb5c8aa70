"""What one process has read of the event store, shared by all its threads.

A hot lot or licence takes orders from every thread of the server. Kept per thread, each
thread would hold its own copy of the same long streams and, between two of its turns,
decode again what the other threads recorded; kept once, a command reads only what was
recorded after the newest event the process has seen, and the process holds one copy.

It is only ever a head start. A stream's events are kept in a list that only grows, in
version order (the event at index ``i`` has version ``i + 1``); each unit of work decides on
the prefix it synced and appends at the versions that follow it, so whatever another thread
or process recorded meanwhile makes the store's version check refuse the commit, and the
command is retried on the newer history.

Folded states are mutable, so a fold is *taken* by one unit of work for its lifetime and
given back when it ends; a second unit of work on the same stream meanwhile folds afresh.
Folded lots are immutable and shared as they are.

A long stream first read from a snapshot (``commands.snapshots``) is kept with its first
events *unread*: the list holds placeholders for them, the summary stands for them, and
they are read in, in place, the first time something asks for them (``read_head``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import cast

from commands.snapshots import Summary
from ledger.events import Event
from ledger.folds import Fold
from ledger.lot import Lot

CACHE_LIMIT = 200_000  # streams; past it the process starts again from nothing

KeptFold = tuple[int, Event, Fold]  # how many events it has taken, the last of them, the state
Restored = tuple[int, Summary]  # a stream's summary and the version it was taken at

UNREAD = cast(Event, None)  # stands in the list for an event the summary stands for


class StreamCache:
    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._events: dict[str, list[Event]] = {}
        self._lots: dict[str, Lot] = {}
        self._folds: dict[str, KeptFold] = {}
        self._unread: dict[str, int] = {}  # streams restored from a summary: events not read
        self._restored: dict[str, Restored] = {}
        self.unsummarized: set[str] = set()  # long streams read whole: no summary stored yet

    def __len__(self) -> int:
        return len(self._events)

    def events(self, stream: str) -> list[Event]:
        """The stream's events as known here: a list that only grows (never mutate it
        except through ``learn``)."""
        with self._lock:
            if len(self._events) > self.limit:
                self._events, self._lots, self._folds = {}, {}, {}
                self._unread, self._restored, self.unsummarized = {}, {}, set()
            return self._events.setdefault(stream, [])

    def learn(self, known: list[Event], after: int, events: Sequence[Event]) -> None:
        """``events``, the stream's events after version ``after``, kept where they go on
        from what ``known`` holds (another thread may have learned some of them first)."""
        if not events:
            return
        with self._lock:
            if after <= len(known) < after + len(events):
                known.extend(events[len(known) - after :])

    def restore(
        self, stream: str, known: list[Event], summary: Restored, events: Sequence[Event]
    ) -> None:
        """Keeps ``summary`` for a stream read from its summary's version on (``events``):
        the events before it are left unread. Another thread may have read the stream
        meanwhile: then there is nothing to do."""
        version = summary[0]
        if not events or version < 1:
            return
        with self._lock:
            if not known:
                known.extend([UNREAD] * (version - 1))
                known.extend(events)
                self._unread[stream] = version - 1
                self._restored[stream] = summary

    def restored(self, stream: str) -> Restored | None:
        """The summary a stream was restored from, while its head is unread."""
        return self._restored.get(stream) if self._unread.get(stream) else None

    def unread(self, stream: str) -> int:
        """How many of the stream's first events are not read yet."""
        return self._unread.get(stream, 0)

    def read_head(self, stream: str, read: Callable[[], Sequence[Event]]) -> list[Event]:
        """The stream's events as known here, its unread head read in first (``read``
        gives the stream's first events, at least as many as are unread)."""
        known = self.events(stream)
        unread = self._unread.get(stream, 0)
        if unread:
            head = read()
            with self._lock:
                if self._unread.get(stream, 0) == unread and len(head) >= unread:
                    known[:unread] = head[:unread]
                    del self._unread[stream]
                    self._restored.pop(stream, None)
            if self._unread.get(stream, 0):
                raise RuntimeError(f"the first {unread} events of {stream} could not be read")
        return known

    def lot(self, lot_id: str) -> Lot | None:
        return self._lots.get(lot_id)

    def keep_lot(self, lot: Lot) -> None:
        self._lots[lot.lot_id] = lot

    def take_fold(self, stream: str) -> KeptFold | None:
        """The stream's fold, for one unit of work alone until it gives it back."""
        with self._lock:
            return self._folds.pop(stream, None)

    def give_back(self, folds: dict[str, KeptFold]) -> None:
        with self._lock:
            self._folds.update(folds)
