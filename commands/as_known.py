"""The recorded streams as the ledger knew them at a moment: what the periodic report and the
inspection pack, as they were or as submitted, are folded from (the very fold
``submit_report`` digests)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from commands.store import EventStore
from ledger.events import Event, LotEvent, WarehouseRegistered
from ledger.kinds import placing_kinds
from ledger.recorded import Streams
from ledger.registry import Warehouse


class KnownAt(Streams):
    """``Recorded`` over the event store, leaving out what was recorded after ``moment``
    (None: everything recorded so far). Streams read are kept: it answers one question.

    ``placed`` names the lots ever placed in a warehouse from an index kept up to date (the
    read models' ``rm_lot_parties``): candidates only, each folded from its own stream as
    known at ``moment``. Without it the placing events of the whole log are read."""

    def __init__(
        self,
        store: EventStore,
        moment: datetime | None = None,
        placed: Callable[[str], set[str]] | None = None,
    ) -> None:
        self.store = store
        self.moment = moment
        self.placed = placed
        self._read: dict[str, list[Event]] = {}
        self._placed: dict[str, set[str]] | None = None

    def _known(self, event: Event) -> bool:
        return self.moment is None or event.recorded_at <= self.moment

    def events(self, stream: str) -> Sequence[Event]:
        if stream not in self._read:
            self._read[stream] = [e for e in self.store.read(stream) if self._known(e)]
        return self._read[stream]

    def prefetch(self, streams: Iterable[str]) -> None:
        """Reads every stream not read yet, 500 to a query."""
        wanted = sorted({name for name in streams if name not in self._read})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found = self.store.read_after(dict.fromkeys(chunk, 0))
            for name in chunk:
                self._read[name] = [e for e in found.get(name, []) if self._known(e)]

    def lot_ids_ever_in(self, warehouse_id: str) -> set[str]:
        """From the index if given, else from the whole event log, read once: only the kinds
        that place lots are read."""
        if self.placed is not None:
            return self.placed(warehouse_id)
        if self._placed is None:
            self._placed = {}
            for event in self.store.scan(self.store.topics(placing_kinds())):
                if isinstance(event, LotEvent) and self._known(event):
                    for lot_id, where in event.placements():
                        self._placed.setdefault(where, set()).add(lot_id)
        return self._placed.get(warehouse_id, set())

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse registered, in the order of their ids."""
        found = {
            e.warehouse_id: Warehouse.from_events([e])
            for e in self.store.scan(self.store.topics([WarehouseRegistered]))
            if isinstance(e, WarehouseRegistered) and self._known(e)
        }
        return [w for _, w in sorted(found.items()) if w is not None]
