"""The stock card of one lot (55.8b): its entries in effective order with running balances."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from ledger.calendar import WAREHOUSE_ZONE
from ledger.events import EntryReversed, Event
from ledger.numbers import decimal_text
from projections.answers import When
from projections.lots_known import lots_known_at

Row = dict[str, Any]
Decode = Callable[[str, bytes], Event]


def _text(moment: datetime) -> str:
    return moment.astimezone(WAREHOUSE_ZONE).isoformat()


def _zero() -> Decimal:
    return Decimal(0)


def stock_card(connection: Connection, decode: Decode, lot_id: str, when: When) -> list[Row]:
    """Every entry of the lot that had taken effect by ``as_of``, as known at ``known_at``,
    with the running balance; reversed entries are shown and do not count."""
    lots = lots_known_at(connection, decode, [lot_id], when.known_at)
    if not lots:
        return []
    lot = lots[0]
    gone = lot.reversed_versions
    entries = sorted(
        (e for e in lot.entries if e.event.effective_at <= when.end),
        key=lambda e: (e.event.effective_at, e.version),
    )
    balance = on_hand = in_transit = _zero()
    rows = []
    for entry in entries:
        event = entry.event
        moved = event.postings()
        delta = sum((p.on_hand + p.in_transit for p in moved), _zero())
        cancelled = entry.version in gone or isinstance(event, EntryReversed)
        if not cancelled:
            on_hand += sum((p.on_hand for p in moved), _zero())
            in_transit += sum((p.in_transit for p in moved), _zero())
            balance = on_hand + in_transit
        rows.append(
            {
                "version": entry.version,
                "event": entry.kind,
                "effective_at": _text(event.effective_at),
                "recorded_at": _text(event.recorded_at),
                "quantity_in": decimal_text(max(delta, _zero())),
                "quantity_out": decimal_text(max(-delta, _zero())),
                "balance": decimal_text(balance),
                "on_hand": decimal_text(on_hand),
                "in_transit": decimal_text(in_transit),
                "related_lot_id": event.related_lot_id(),
                "reversed": entry.version in gone,
            }
        )
    return rows
