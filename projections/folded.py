"""The folded reference: every answer computed by folding each candidate lot's recorded events
with the ledger's own ``Lot``, as the ledger knew them at a moment.

Slow, and kept on purpose: the equivalence tests compare every SQL answer with it for
generated histories, and the bench prints it beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from ledger.calendar import WAREHOUSE_ZONE
from ledger.clock import deadline, first_warehousing_date
from ledger.events import EntryReversed, Event, LotEvent
from ledger.lot import Entry, Lot
from ledger.numbers import decimal_text
from ledger.prefix import Prefix
from ledger.rulepacks import RulePack
from ledger.settlement import emptied_at
from projections import tables as t
from projections.answers import Filters, Holding, When
from projections.projector import load_contract
from projections.settlements import declarations_existing, settlement_row

Decode = Callable[[str, bytes], Event]
Row = dict[str, Any]


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
    return [Lot(lot_id, Prefix(entries)) for lot_id, entries in found.items() if entries]


def folded_holdings(
    connection: Connection, decode: Decode, pack: RulePack, filters: Filters, when: When
) -> list[Holding]:
    found = []
    rows = connection.execute(select(t.warehouses.c.warehouse_id, t.warehouses.c.province))
    provinces = {warehouse_id: province for warehouse_id, province in rows}
    for lot in lots_known_at(connection, decode, _candidates(connection, filters), when.known_at):
        facts = lot.facts_at(when.end)
        if facts is None or facts.balance <= 0:
            continue
        if not filters.matches(facts, provinces.get(facts.warehouse_id)):
            continue
        contract = (
            load_contract(connection, facts.contract_no, when.known_at)
            if facts.contract_no
            else None
        )
        found.append(
            Holding(
                facts.lot_id,
                facts.declaration_no,
                facts.warehouse_id,
                facts.goods_owner_tax_code,
                facts.goods.hs_code,
                facts.goods.description,
                facts.goods.unit,
                decimal_text(facts.on_hand),
                decimal_text(facts.in_transit),
                first_warehousing_date(facts, pack),
                deadline(facts, pack, contract, when.end),
            )
        )
    return found


def _candidates(connection: Connection, filters: Filters) -> list[str]:
    if filters.lot_id is not None:
        return [filters.lot_id]
    parties = t.lot_parties.c
    for kind, value in (
        ("warehouse", filters.warehouse_id),
        ("province", filters.province),
        ("owner", filters.owner),
    ):
        if value is not None:
            rows = connection.execute(
                select(parties.lot_id).where(parties.kind == kind, parties.value == value)
            )
            return sorted({row[0] for row in rows})
    rows = connection.execute(select(t.lot_events.c.lot_id).distinct())
    return sorted(row[0] for row in rows)


def folded_settlements(
    connection: Connection, decode: Decode, pack: RulePack, filters: Filters, when: When
) -> list[Row]:
    found = []
    for row in declarations_existing(connection, filters, when):
        lot_ids = _declaration_lot_ids(connection, row["declaration_no"])
        lots = [
            _until(lot, when.end)
            for lot in lots_known_at(connection, decode, lot_ids, when.known_at)
        ]
        found.append(settlement_row(pack, row, emptied_at(lots), when))
    return found


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


def _until(lot: Lot, end: datetime) -> Lot:
    """The lot with only what happened by ``end`` (versions kept)."""
    return Lot(lot.lot_id, Prefix(e for e in lot.entries if e.event.effective_at <= end))


def folded_stock_card(connection: Connection, decode: Decode, lot_id: str, when: When) -> list[Row]:
    lots = lots_known_at(connection, decode, [lot_id], when.known_at)
    if not lots:
        return []
    lot = lots[0]
    gone = lot.reversed_versions
    entries = sorted(
        (e for e in lot.entries if e.event.effective_at <= when.end),
        key=lambda e: (e.event.effective_at, e.version),
    )
    balance = on_hand = in_transit = Decimal(0)
    rows = []
    for entry in entries:
        event = entry.event
        moved = event.postings()
        delta = sum((p.on_hand + p.in_transit for p in moved), Decimal(0))
        cancelled = entry.version in gone or isinstance(event, EntryReversed)
        if not cancelled:
            on_hand += sum((p.on_hand for p in moved), Decimal(0))
            in_transit += sum((p.in_transit for p in moved), Decimal(0))
            balance = on_hand + in_transit
        rows.append(
            {
                "version": entry.version,
                "event": entry.kind,
                "effective_at": event.effective_at.astimezone(WAREHOUSE_ZONE).isoformat(),
                "recorded_at": event.recorded_at.astimezone(WAREHOUSE_ZONE).isoformat(),
                "quantity_in": decimal_text(max(delta, Decimal(0))),
                "quantity_out": decimal_text(max(-delta, Decimal(0))),
                "balance": decimal_text(balance),
                "on_hand": decimal_text(on_hand),
                "in_transit": decimal_text(in_transit),
                "related_lot_id": event.related_lot_id(),
                "reversed": entry.version in gone,
            }
        )
    return rows
