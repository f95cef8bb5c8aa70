"""Settlements (55.8d): when each declaration emptied, when it must be settled, and whether it
was, as of a day and as known at a moment. Nothing counts before it took effect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledger.calendar import local_date
from ledger.events import Event
from ledger.lot import Lot
from ledger.registry import Declaration
from ledger.rulepacks import RulePack
from ledger.settlement import emptied_at, settlement_due_on, settlement_status
from projections import tables as t
from projections.answers import When
from projections.lots_known import lots_known_at

Row = dict[str, Any]
Decode = Callable[[str, bytes], Event]


def settlements(
    connection: Connection, decode: Decode, pack: RulePack, warehouse_id: str | None, when: When
) -> list[Row]:
    """Each declaration that existed at the end of ``as_of``, as known at ``known_at``."""
    query = select(t.declarations)
    if warehouse_id is not None:
        query = query.where(t.declarations.c.warehouse_id == warehouse_id)
    if when.known_at is not None:
        query = query.where(t.declarations.c.recorded_at <= when.known_at)
    query = query.where(t.declarations.c.effective_at <= when.end)  # it exists from then
    rows = list(connection.execute(query.order_by(t.declarations.c.declaration_no)).mappings())
    return [_settlement_row(connection, decode, pack, row, when) for row in rows]


def _settlement_row(
    connection: Connection, decode: Decode, pack: RulePack, row: Any, when: When
) -> Row:
    known = when.known_at
    declaration_no = row["declaration_no"]
    lot_ids = _declaration_lot_ids(connection, declaration_no)
    lots = [_until(lot, when.end) for lot in lots_known_at(connection, decode, lot_ids, known)]
    settled = row["settled_at"] if _known(row["settled_recorded_at"], known) else None
    extended = _known(row["extension_recorded_at"], known) and (
        row["extension_effective_at"] <= when.end
    )
    extension = row["extension_days"] if extended else 0
    declaration = Declaration(
        declaration_no,
        row["registered_on"],
        row["warehouse_id"],
        row["goods_owner_tax_code"],
        None,
        tuple(lot_ids),
        settled,
        extension,
        1 if extension else 0,
    )
    emptied = emptied_at(lots)
    if emptied is not None and emptied > when.end:
        emptied = None
    due = settlement_due_on(declaration, emptied, pack) if emptied else None
    settled_on = local_date(settled) if settled is not None else None
    return {
        "declaration_no": declaration_no,
        "warehouse_id": row["warehouse_id"],
        "emptied_on": local_date(emptied).isoformat() if emptied else None,
        "settlement_due_on": due.isoformat() if due else None,
        "settled_on": settled_on.isoformat() if settled_on and settled_on <= when.as_of else None,
        "status": settlement_status(declaration, emptied, when.as_of, pack),
    }


def _declaration_lot_ids(connection: Connection, declaration_no: str) -> list[str]:
    events = t.lot_events.c
    prefix = f"{declaration_no}/"
    after_prefix = f"{declaration_no}0"  # '0' follows '/': every id with the prefix sorts between
    rows = connection.execute(
        select(events.lot_id)
        .where(events.lot_id >= prefix, events.lot_id < after_prefix)
        .distinct()
    )
    return sorted(row[0] for row in rows)


def _known(recorded_at: datetime | None, known_at: datetime | None) -> bool:
    return recorded_at is not None and (known_at is None or recorded_at <= known_at)


def _until(lot: Lot, end: datetime) -> Lot:
    """The lot with only what happened by ``end`` (versions kept)."""
    return Lot(lot.lot_id, tuple(e for e in lot.entries if e.event.effective_at <= end))
