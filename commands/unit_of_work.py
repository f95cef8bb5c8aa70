"""A unit of work: the streams a batch of commands read, and the events they add, written in
one transaction with an optimistic version check on every stream they add to.

It is the ``ledger.recorded.Recorded`` that decisions read. Streams are kept in a cache that
outlives the unit of work. Each unit of work brings every stream it reads up to date once,
asking the store only for the events after the ones already cached (one query for a whole
batch), so a long lot is decoded once per process, not once per command. Whatever another
writer adds after that is caught by the version check on commit, and the command is retried.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence

from commands.store import EventStore
from ledger.events import Event, LotCreation, LotEvent, placing_kinds
from ledger.folds import F, Fold
from ledger.lot import Lot
from ledger.recorded import Streams
from ledger.streams import lot_stream

StreamCache = MutableMapping[str, list[Event]]


class UnitOfWork(Streams):
    def __init__(
        self,
        store: EventStore,
        cache: StreamCache | None = None,
        lots: dict[str, Lot] | None = None,
        folds: dict[str, tuple[int, Event, Fold]] | None = None,
    ) -> None:
        self.store = store
        self.cache: StreamCache = cache if cache is not None else {}
        self.pending: dict[str, list[Event]] = {}
        self._synced: set[str] = set()
        self._lots: dict[str, Lot] = lots if lots is not None else {}  # folded, by version
        self._log: list[str] = []  # streams appended to, in order, for rollback to a mark
        # each stream's fold with how many events it has taken and the last of them
        self._folds: dict[str, tuple[int, Event, Fold]] = folds if folds is not None else {}

    # --- reading ---

    def events(self, stream: str) -> Sequence[Event]:
        if stream not in self._synced:
            self.sync([stream])
        pending = self.pending.get(stream)
        return self.cache[stream] + pending if pending else self.cache[stream]

    def prefetch(self, streams: Iterable[str]) -> None:
        self.sync(streams)

    def sync(self, streams: Iterable[str]) -> None:
        """Brings these streams up to date with the store, in one round trip."""
        todo = [s for s in dict.fromkeys(streams) if s not in self._synced]
        if not todo:
            return
        newer = self.store.read_after({s: len(self.cache.get(s, ())) for s in todo})
        for stream in todo:
            self.cache.setdefault(stream, []).extend(newer.get(stream, ()))
            self._synced.add(stream)

    def lot(self, lot_id: str) -> Lot:
        events = self.events(lot_stream(lot_id))
        known = self._lots.get(lot_id)
        if known is not None and _continues(known, events):
            if known.version == len(events):
                return known  # the same history: keep its folded facts
            lot = known.appended([e for e in events[known.version :] if isinstance(e, LotEvent)])
        else:
            lot = Lot.of(lot_id, [e for e in events if isinstance(e, LotEvent)])
        self._lots[lot_id] = lot
        return lot

    def folded(self, stream: str, kind: type[F]) -> F:
        """The fold kept from an earlier command, moved on by the events since; folded
        afresh when the stream no longer begins with what it took (a rollback)."""
        events = self.events(stream)
        known = self._folds.get(stream)
        if (
            known is not None
            and isinstance(known[2], kind)
            and 0 < known[0] <= len(events)
            and events[known[0] - 1] is known[1]
        ):
            taken, state = known[0], known[2]
        else:
            taken, state = 0, kind()
        for event in events[taken:]:
            state.apply(event)
        if events:
            self._folds[stream] = (len(events), events[-1], state)
        return state

    def lot_ids_ever_in(self, warehouse_id: str) -> set[str]:
        """From the whole event log: only the kinds that place lots are read."""
        recorded = self.store.scan(self.store.topics(placing_kinds()))
        pending = (e for events in self.pending.values() for e in events)
        return {
            lot_id
            for source in (recorded, pending)
            for event in source
            if isinstance(event, LotEvent)
            for lot_id, where in event.placements()
            if where == warehouse_id
        }

    # --- writing ---

    def record(self, events: Iterable[Event]) -> None:
        for event in events:
            stream = event.stream
            if stream not in self.cache and isinstance(event, LotCreation):
                # a new lot's id is new by construction; if another writer took it, the
                # version check refuses the commit and the retry reads it afresh
                self.cache[stream] = []
                self._synced.add(stream)
            self.events(stream)  # the committed version must be known before appending
            self.pending.setdefault(stream, []).append(event)
            self._log.append(stream)

    def mark(self) -> int:
        return len(self._log)

    def rollback_to(self, mark: int) -> None:
        """Forgets what was recorded since ``mark``: a refused command leaves nothing."""
        for stream in reversed(self._log[mark:]):
            self.pending[stream].pop()
            if not self.pending[stream]:
                del self.pending[stream]
        del self._log[mark:]

    def commit(self) -> int:
        """Writes every pending event at once; returns how many. Raises the store's
        ``IntegrityError`` when another writer got to one of these streams first."""
        records: list[tuple[str, int, Event]] = []
        taken: dict[str, int] = {}
        for stream in self._log:  # recorded order, so the notification log reads as it happened
            index = taken.get(stream, 0)
            taken[stream] = index + 1
            version = len(self.cache[stream]) + index + 1
            records.append((stream, version, self.pending[stream][index]))
        if records:
            self.store.append(records)
        for stream, events in self.pending.items():
            self.cache[stream].extend(events)
        self.pending.clear()
        self._log.clear()
        return len(records)


def _continues(known: Lot, events: Sequence[Event]) -> bool:
    """The stream still begins with the history ``known`` was folded from."""
    if known.version > len(events):
        return False
    return known.version == 0 or known.entries[-1].event is events[known.version - 1]
