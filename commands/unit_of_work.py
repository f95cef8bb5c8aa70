"""A unit of work: the streams a batch of commands read, and the events they add, written in
one transaction with an optimistic version check on every stream they add to.

It is the ``ledger.recorded.Recorded`` that decisions read. Streams are kept in the process's
cache (``commands.stream_cache``), which outlives the unit of work. Each unit of work brings
every stream it reads up to date once, asking the store only for the events after the ones
already cached (one query for a whole batch), so a long lot is decoded once per process, not
once per command. Whatever another writer adds after that is caught by the version check on
commit, and the command is retried.

A stream the process has not read yet starts from its newest snapshot (``commands.snapshots``)
when it has one: a lot or licence is restored from its summary and the events after it, and
the events before are read only if a decision asks for them. Every ``SNAPSHOT_EVERY`` events
of a lot or licence, the commit stores a new summary with the events.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from commands import snapshots
from commands.snapshots import Summary, due
from commands.store import EventStore
from commands.stream_cache import UNREAD, KeptFold, StreamCache
from ledger.entries import Entry
from ledger.events import Event, LotCreation, LotEvent
from ledger.folds import F, Summarized
from ledger.kinds import placing_kinds
from ledger.lot import Lot, LotSummary
from ledger.prefix import Deferred, Joined, Prefix
from ledger.recorded import Streams
from ledger.streams import lot_stream


class UnitOfWork(Streams):
    def __init__(self, store: EventStore, cache: StreamCache | None = None) -> None:
        self.store = store
        self.cache = cache if cache is not None else StreamCache()
        self.pending: dict[str, list[Event]] = {}
        # each stream synced: the process's list of its events, and how many of them this
        # unit of work decides on (the list may grow meanwhile: other threads learn more)
        self._seen: dict[str, tuple[list[Event], int]] = {}
        self._log: list[str] = []  # streams appended to, in order, for rollback to a mark
        self._folds: dict[str, KeptFold] = {}  # taken from the cache until ``release``
        self._written: list[tuple[list[Event], int, list[Event]]] = []  # until committed
        self.position: int | None = None  # of the last event it wrote in the log

    # --- reading ---

    def events(self, stream: str) -> Sequence[Event]:
        if stream not in self._seen:
            self.sync([stream])
        if self.cache.unread(stream):
            self.cache.read_head(stream, lambda: self.store.read(stream))
        return self._events(stream)

    def _events(self, stream: str) -> Sequence[Event]:
        """The stream's events, the head a summary stands for perhaps unread (``UNREAD``)."""
        if stream not in self._seen:
            self.sync([stream])
        known, count = self._seen[stream]
        synced = known if len(known) == count else Prefix.first(known, count)
        pending = self.pending.get(stream)
        return Joined(synced, pending) if pending else synced

    def prefetch(self, streams: Iterable[str]) -> None:
        self.sync(streams)

    def sync(self, streams: Iterable[str]) -> None:
        """Brings these streams up to date with the store, in one round trip."""
        todo = {s: self.cache.events(s) for s in dict.fromkeys(streams) if s not in self._seen}
        if not todo:
            return
        counts = {s: len(known) for s, known in todo.items()}
        cold = [s for s, count in counts.items() if count == 0 and snapshots.summarized(s)]
        summaries = self.store.summaries(cold)
        for stream, (version, _) in summaries.items():
            counts[stream] = version - 1  # read on from the summary's own event
        newer = self.store.read_after(counts)
        for stream, known in todo.items():
            found = newer.get(stream, ())
            if stream in summaries:
                self.cache.restore(stream, known, summaries[stream], found)
                if len(known) < counts[stream] + len(found):  # no head start after all
                    self.cache.learn(known, 0, self.store.read(stream))
            else:
                self.cache.learn(known, counts[stream], found)
                if (
                    counts[stream] == 0
                    and len(found) >= snapshots.SNAPSHOT_EVERY
                    and snapshots.summarized(stream)
                ):
                    self.cache.unsummarized.add(stream)  # recorded before snapshots were kept
            self._seen[stream] = (known, counts[stream] + len(found))

    def _first(self, stream: str) -> Callable[[int], list[Event]]:
        """Reads the stream's first ``n`` events when called: from the process's cache, its
        unread head read in first, or from the store if the cache has let the stream go;
        while this unit of work lasts, with the events it is about to record. Kept by
        restored lots and folds, it does not keep this unit of work alive."""
        cache, store, alive = self.cache, self.store, weakref.ref(self)

        def first(n: int) -> list[Event]:
            found = cache.read_head(stream, lambda: store.read(stream))[:n]
            if len(found) < n or any(e is UNREAD for e in found):
                found = store.read(stream)[:n]
            uow = alive()
            if len(found) < n and uow is not None:
                found = list(uow.events(stream))[:n]
            if len(found) < n:
                raise RuntimeError(f"{stream} has {len(found)} events, not the {n} expected")
            return found

        return first

    def catch_up(self, streams: Iterable[str]) -> None:
        """Takes in what the process learned of these streams since they were synced: what
        the writers before this one recorded (no round trip; anything recorded elsewhere is
        for the version check to find)."""
        for stream in streams:
            if stream in self._seen and stream not in self.pending:
                known, _ = self._seen[stream]
                self._seen[stream] = (known, len(known))

    def lot(self, lot_id: str) -> Lot:
        stream = lot_stream(lot_id)
        events = self._events(stream)
        known = self.cache.lot(lot_id) or self._restored_lot(stream, events)
        if known is not None and _continues(known, events):
            if known.version == len(events):
                return known  # the same history: keep its folded facts
            lot = known.appended([e for e in events[known.version :] if isinstance(e, LotEvent)])
        else:
            whole = self.events(stream)
            lot = Lot.of(lot_id, [e for e in whole if isinstance(e, LotEvent)])
        self.cache.keep_lot(lot)
        return lot

    def _restored_lot(self, stream: str, events: Sequence[Event]) -> Lot | None:
        """The lot its summary describes, its entries before the summary's read when asked."""
        restored = self.cache.restored(stream)
        if restored is None:
            return None
        version, summary = restored
        if not isinstance(summary, LotSummary):
            return None
        first = self._first(stream)

        def entries() -> list[Entry]:
            head = first(version - 1)
            return [Entry(v, e) for v, e in enumerate(head, 1) if isinstance(e, LotEvent)]

        last = events[version - 1]
        if not isinstance(last, LotEvent) or summary.version != version:
            return None
        return Lot.restored(summary, Deferred(version - 1, entries, [Entry(version, last)]))

    def folded(self, stream: str, kind: type[F]) -> F:
        """The fold kept from an earlier command, moved on by the events since; folded
        afresh when the stream no longer begins with what it took (a rollback)."""
        events = self._events(stream)
        known = self._folds.get(stream) or self.cache.take_fold(stream)
        restored = self.cache.restored(stream)
        if (
            known is not None
            and isinstance(known[2], kind)
            and 0 < known[0] <= len(events)
            and _same(events[known[0] - 1], known[1])
        ):
            taken, state = known[0], known[2]
        elif (
            restored is not None
            and issubclass(kind, Summarized)
            and isinstance(restored[1], kind.summary_type)
        ):
            taken, state = restored[0], kind.restored(restored[1], self._first(stream))
        else:
            events = self.events(stream)
            taken, state = 0, kind()
        for event in events[taken:]:
            state.apply(event)
        if events:
            self._folds[stream] = (len(events), events[-1], state)
        return state

    def release(self) -> None:
        """Gives the folds this unit of work took back to the cache, for the next one."""
        self.cache.give_back(self._folds)
        self._folds = {}

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
            if stream not in self._seen and isinstance(event, LotCreation):
                # a new lot's id is new by construction; if another writer took it, the
                # version check refuses the commit and the retry reads it afresh
                self._seen[stream] = (self.cache.events(stream), 0)
            self._events(stream)  # the committed version must be known before appending
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
            version = self._seen[stream][1] + index + 1
            records.append((stream, version, self.pending[stream][index]))
        summaries = self._summaries_due()
        if records:
            self.position = self.store.append(records) or self.position
        self.store.keep_summaries(summaries)
        for stream, events in self.pending.items():
            known, count = self._seen[stream]
            self._written.append((known, count, events))
            self._seen[stream] = (known, count + len(events))
        self.pending = {}
        self._log.clear()
        return len(records)

    def _summaries_due(self) -> list[tuple[str, int, Summary]]:
        """The summaries of the lots and summarized folds whose pending events pass a
        multiple of ``SNAPSHOT_EVERY`` (or that are long and have none: recorded before
        snapshots were kept), taken with those events."""
        due_now: list[tuple[str, int, Summary]] = []
        for stream, events in self.pending.items():
            before = self._seen[stream][1]
            after = before + len(events)
            if not due(before, after) and stream not in self.cache.unsummarized:
                continue
            first = events[0]
            kept = self._folds.get(stream)
            summary: Summary | None = None
            if isinstance(first, LotEvent):
                lot = self.lot(first.lot_id)
                summary = lot.summary() if lot.version == after else None
            elif kept is not None and isinstance(kept[2], Summarized):
                summary = self.folded(stream, type(kept[2])).summary()
            if summary is not None:
                due_now.append((stream, after, summary))
                self.cache.unsummarized.discard(stream)
        return due_now

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The store's transaction. What was written in it joins the process's cache once
        it has committed, and the folds taken go back to the cache however it ended."""
        try:
            with self.store.transaction():
                yield
            for known, count, events in self._written:
                self.cache.learn(known, count, events)
        finally:
            self._written = []
            self.release()


def _continues(known: Lot, events: Sequence[Event]) -> bool:
    """The stream still begins with the history ``known`` was folded from."""
    if known.version > len(events):
        return False
    return known.version == 0 or _same(known.entries[-1].event, events[known.version - 1])


def _same(one: Event, other: Event) -> bool:
    """The same recorded event: the very object, or an equal one decoded by another thread
    (the cache keeps whichever thread learned it first)."""
    return one is other or one == other
