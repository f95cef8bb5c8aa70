"""The stock card of one lot (55.8b): its entries in effective order with running balances, in
SQL over the lot history. Reversed entries are shown and do not count; an entry counts as
reversed once its reversal was recorded by ``known_at``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, select

from ledger.calendar import WAREHOUSE_ZONE
from ledger.numbers import decimal_text
from projections import tables as t
from projections.answers import When
from projections.exact import from_parts

Row = dict[str, Any]

h = t.lot_history.c
PARTS = ("on_hand_units", "on_hand_nanos", "in_transit_units", "in_transit_nanos")


def _reversed(when: When) -> ColumnElement[bool]:
    if when.known_at is None:
        return h.reversed_at.is_not(None)
    return and_(h.reversed_at.is_not(None), h.reversed_at <= when.known_at)


def stock_card(connection: Connection, lot_id: str, when: When) -> list[Row]:
    """Every entry of the lot that had taken effect by ``as_of``, as known at ``known_at``,
    with the running balance."""
    reversed_ = _reversed(when)
    order = (h.effective_at, h.version)
    running = [
        func.sum(case((reversed_, literal(0)), else_=h[part]))
        .over(order_by=order, rows=(None, 0))
        .label(f"running_{part}")
        for part in PARTS
    ]
    query = (
        select(
            h.version,
            h.kind,
            h.effective_at,
            h.recorded_at,
            h.related_lot_id,
            *(h[part] for part in PARTS),
            case((reversed_, True), else_=False).label("reversed"),
            *running,
        )
        .where(h.lot_id == lot_id, h.effective_at <= when.end)
        .order_by(*order)
    )
    if when.known_at is not None:
        query = query.where(h.recorded_at <= when.known_at)
    return [_card_row(row) for row in connection.execute(query).mappings()]


def _card_row(row: Any) -> Row:
    delta = from_parts(
        row["on_hand_units"] + row["in_transit_units"],
        row["on_hand_nanos"] + row["in_transit_nanos"],
    )
    on_hand = from_parts(int(row["running_on_hand_units"]), int(row["running_on_hand_nanos"]))
    in_transit = from_parts(
        int(row["running_in_transit_units"]), int(row["running_in_transit_nanos"])
    )
    return {
        "version": row["version"],
        "event": row["kind"],
        "effective_at": row["effective_at"].astimezone(WAREHOUSE_ZONE).isoformat(),
        "recorded_at": row["recorded_at"].astimezone(WAREHOUSE_ZONE).isoformat(),
        "quantity_in": decimal_text(max(delta, Decimal(0))),
        "quantity_out": decimal_text(max(-delta, Decimal(0))),
        "balance": decimal_text(on_hand + in_transit),
        "on_hand": decimal_text(on_hand),
        "in_transit": decimal_text(in_transit),
        "related_lot_id": row["related_lot_id"],
        "reversed": bool(row["reversed"]),
    }
