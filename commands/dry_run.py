"""A dry run: commands decided exactly as ``LedgerService.execute_many`` decides them, each
after the ones before it as if they had been applied, and nothing recorded.

The unit of work is the one commands are decided in, with two differences:

- it never commits (``commit`` raises), so the events decided stay pending in memory, where
  the next command reads them as it reads any pending event, and are dropped with it;
- what it folds from those pending events (lots, folds) stays its own: the process's cache
  (``commands.stream_cache``) lends it what the store holds, as to any unit of work, and
  never learns a lot or a fold that holds an event not recorded.

It opens no transaction of its own: each read is the store's own short read (a read
transaction, no write lock, on SQLite as on PostgreSQL), and it takes none of the service's
stream locks, as ``execute_many`` takes none. So a preview holds nothing a writer waits for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from commands.snapshots import Summary
from commands.store import EventStore
from commands.stream_cache import Restored, StreamCache
from commands.unit_of_work import UnitOfWork
from ledger.events import Event
from ledger.lot import Lot


class _Overlay(StreamCache):
    """The process's cache for what is recorded; lots and folds of the dry run kept apart."""

    def __init__(self, shared: StreamCache) -> None:
        super().__init__(shared.limit)
        self.shared = shared
        self.unsummarized = shared.unsummarized  # a fact about the store: shared

    def events(self, stream: str) -> list[Event]:
        return self.shared.events(stream)

    def learn(self, known: list[Event], after: int, events: Sequence[Event]) -> None:
        self.shared.learn(known, after, events)  # only ever events read from the store

    def restore(
        self, stream: str, known: list[Event], summary: Restored, events: Sequence[Event]
    ) -> None:
        self.shared.restore(stream, known, summary, events)

    def restored(self, stream: str) -> tuple[int, Summary] | None:
        return self.shared.restored(stream)

    def unread(self, stream: str) -> int:
        return self.shared.unread(stream)

    def read_head(self, stream: str, read: Callable[[], Sequence[Event]]) -> list[Event]:
        return self.shared.read_head(stream, read)

    def lot(self, lot_id: str) -> Lot | None:
        return super().lot(lot_id) or self.shared.lot(lot_id)  # a shared lot is immutable


class DryRun(UnitOfWork):
    """A unit of work that decides and never records."""

    def __init__(self, store: EventStore, cache: StreamCache) -> None:
        super().__init__(store, _Overlay(cache))

    def commit(self) -> int:
        raise RuntimeError("a dry run records nothing")
