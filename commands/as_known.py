"""The recorded streams as the ledger knew them at a moment: what the periodic report, as it
was or as it was submitted, is folded from (the very fold ``submit_report`` digests)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commands.store import EventStore
from ledger.events import Event, LotEvent, placing_kinds
from ledger.recorded import Streams


class KnownAt(Streams):
    """``Recorded`` over the event store, leaving out what was recorded after ``moment``
    (None: everything recorded so far)."""

    def __init__(self, store: EventStore, moment: datetime | None = None) -> None:
        self.store = store
        self.moment = moment

    def _known(self, event: Event) -> bool:
        return self.moment is None or event.recorded_at <= self.moment

    def events(self, stream: str) -> Sequence[Event]:
        return [event for event in self.store.read(stream) if self._known(event)]

    def lot_ids_ever_in(self, warehouse_id: str) -> set[str]:
        """From the whole event log: only the kinds that place lots are read."""
        return {
            lot_id
            for event in self.store.scan(self.store.topics(placing_kinds()))
            if isinstance(event, LotEvent) and self._known(event)
            for lot_id, where in event.placements()
            if where == warehouse_id
        }
