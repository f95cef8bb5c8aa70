"""Lots as the ledger knew them at a moment, folded from the recorded lot events: the
reference the SQL answers are compared with, and what stock cards and settlements read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from ledger.events import Event, LotEvent
from ledger.lot import Entry, Lot
from projections import tables as t

Decode = Callable[[str, bytes], Event]


def lots_known_at(
    connection: Connection, decode: Decode, lot_ids: Sequence[str], known_at: datetime | None
) -> list[Lot]:
    """The lots as the ledger knew them at ``known_at``."""
    events = t.lot_events.c
    found: dict[str, list[Entry]] = {lot_id: [] for lot_id in lot_ids}
    for start in range(0, len(lot_ids), 500):
        query = select(events.lot_id, events.version, events.topic, events.state).where(
            events.lot_id.in_(lot_ids[start : start + 500])
        )
        if known_at is not None:
            query = query.where(events.recorded_at <= known_at)
        for lot_id, version, topic, state in connection.execute(
            query.order_by(events.lot_id, events.version)
        ):
            event = decode(topic, bytes(state))
            assert isinstance(event, LotEvent)
            found[lot_id].append(Entry(version, event))
    return [Lot(lot_id, tuple(entries)) for lot_id, entries in found.items() if entries]
