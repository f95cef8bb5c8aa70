"""The questions of DOMAIN.md §5–6, answered from the read models only.

Every answer holds at the end of ``as_of`` (effective, in the warehouse's zone) as the ledger
knew it at ``known_at`` (recorded). With no ``known_at`` and an ``as_of`` at or after the last
effective moment recorded, the current-state table answers alone (the fast path). Otherwise
the lots' recorded events are folded by the ledger's own ``Lot``, leaving out everything
recorded after ``known_at``: reversals recorded later do not apply, entries recorded later
do not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ledger.calendar import WAREHOUSE_ZONE, local_date
from ledger.clock import Clock, first_warehousing_date
from ledger.clock import deadline as lot_deadline
from ledger.events import EntryReversed, Event, LotEvent
from ledger.lot import Entry, Lot
from ledger.numbers import decimal_text
from ledger.registry import Declaration
from ledger.rulepacks import RulePack
from ledger.settlement import emptied_at, settlement_due_on, settlement_status
from projections import tables as t
from projections.answers import Filters, Holding, When
from projections.holdings import holdings_at
from projections.projector import load_contract

Row = dict[str, Any]
Decode = Callable[[str, bytes], Event]


def _text(moment: datetime) -> str:
    return moment.astimezone(WAREHOUSE_ZONE).isoformat()


class ReadModel:
    def __init__(
        self, engine: Engine, decode: Decode, pack: RulePack, due_soon_days: int | None = None
    ) -> None:
        self.engine = engine
        self.decode = decode
        self.pack = pack
        self.due_soon_days = pack.due_soon_days if due_soon_days is None else due_soon_days

    # --- balances and clocks ---

    def balances(self, filters: Filters, when: When) -> list[Row]:
        return [_balance_row(h) for h in self._holdings(filters, when)]

    def clocks(self, filters: Filters, when: When) -> list[Row]:
        return [self._clock_row(h, when) for h in self._holdings(filters, when)]

    def overdue(self, filters: Filters, when: When) -> list[Row]:
        return [
            row
            for row in (
                self._clock_row(h, when) for h in self._holdings(filters, when, overdue=True)
            )
            if row["status"] == "overdue"
        ]

    def _holdings(self, filters: Filters, when: When, overdue: bool = False) -> list[Holding]:
        """Each lot with a non-zero balance at the end of ``as_of``, as known at ``known_at``."""
        with self.engine.connect() as connection:
            if self._is_current(connection, when):
                return self._current_holdings(connection, filters, when, overdue)
            return holdings_at(connection, filters, when, self.pack)

    def folded_holdings(self, filters: Filters, when: When) -> list[Holding]:
        """The reference answer: every candidate lot's events folded by ``ledger.lot.Lot``.
        Slow; the equivalence tests compare the SQL answers with it."""
        with self.engine.connect() as connection:
            return self._past_holdings(connection, filters, when)

    def _is_current(self, connection: Connection, when: When) -> bool:
        if when.known_at is not None:
            return False
        for column in (t.lots.c.last_effective_at, t.contract_extensions.c.effective_at):
            latest = connection.execute(select(func.max(column))).scalar()
            if latest is not None and latest > when.end:
                return False
        return True

    def _current_holdings(
        self, connection: Connection, filters: Filters, when: When, overdue: bool
    ) -> list[Holding]:
        lots = t.lots.c
        query = select(
            lots.lot_id,
            lots.declaration_no,
            lots.warehouse_id,
            lots.goods_owner_tax_code,
            lots.hs_code,
            lots.description,
            lots.unit,
            lots.on_hand,
            lots.in_transit,
            lots.first_warehoused_on,
            lots.deadline,
        ).where(lots.has_balance.is_(True))
        for column, value in (
            (lots.warehouse_id, filters.warehouse_id),
            (lots.goods_owner_tax_code, filters.owner),
            (lots.lot_id, filters.lot_id),
            (lots.province, filters.province),
        ):
            if value is not None:
                query = query.where(column == value)
        if overdue:
            query = query.where(lots.deadline < when.as_of)
        return [Holding(*row) for row in connection.execute(query.order_by(lots.lot_id))]

    def _past_holdings(self, connection: Connection, filters: Filters, when: When) -> list[Holding]:
        found = []
        provinces = _provinces(connection)
        for lot in self._lots(connection, self._candidates(connection, filters), when.known_at):
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
                    first_warehousing_date(facts, self.pack),
                    lot_deadline(facts, self.pack, contract, when.end),
                )
            )
        return found

    def _candidates(self, connection: Connection, filters: Filters) -> list[str]:
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

    def _lots(
        self, connection: Connection, lot_ids: Sequence[str], known_at: datetime | None
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
                event = self.decode(topic, bytes(state))
                assert isinstance(event, LotEvent)
                found[lot_id].append(Entry(version, event))
        return [Lot(lot_id, tuple(entries)) for lot_id, entries in found.items() if entries]

    def _clock_row(self, holding: Holding, when: When) -> Row:
        clock = Clock.on(
            when.as_of, holding.first_warehoused_on, holding.deadline, self.due_soon_days, True
        )
        return {
            "lot_id": holding.lot_id,
            "warehouse_id": holding.warehouse_id,
            "first_warehoused_on": clock.first_warehoused_on.isoformat(),
            "deadline": clock.deadline.isoformat(),
            "days_in_storage": clock.days_in_storage,
            "days_left": clock.days_left,
            "status": clock.status,
        }

    # --- settlements ---

    def settlements(self, warehouse_id: str | None, when: When) -> list[Row]:
        with self.engine.connect() as connection:
            query = select(t.declarations)
            if warehouse_id is not None:
                query = query.where(t.declarations.c.warehouse_id == warehouse_id)
            if when.known_at is not None:
                query = query.where(t.declarations.c.recorded_at <= when.known_at)
            query = query.where(t.declarations.c.effective_at <= when.end)  # it exists from then
            rows = list(
                connection.execute(query.order_by(t.declarations.c.declaration_no)).mappings()
            )
            return [self._settlement_row(connection, row, when) for row in rows]

    def _settlement_row(self, connection: Connection, row: Any, when: When) -> Row:
        known = when.known_at
        declaration_no = row["declaration_no"]
        lot_ids = self._declaration_lot_ids(connection, declaration_no)
        lots = [_until(lot, when.end) for lot in self._lots(connection, lot_ids, known)]
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
        due = settlement_due_on(declaration, emptied, self.pack) if emptied else None
        settled_on = local_date(settled) if settled is not None else None
        return {
            "declaration_no": declaration_no,
            "warehouse_id": row["warehouse_id"],
            "emptied_on": local_date(emptied).isoformat() if emptied else None,
            "settlement_due_on": due.isoformat() if due else None,
            "settled_on": settled_on.isoformat()
            if settled_on and settled_on <= when.as_of
            else None,
            "status": settlement_status(declaration, emptied, when.as_of, self.pack),
        }

    @staticmethod
    def _declaration_lot_ids(connection: Connection, declaration_no: str) -> list[str]:
        events = t.lot_events.c
        prefix = f"{declaration_no}/"
        after_prefix = (
            f"{declaration_no}0"  # '0' follows '/': every id with the prefix sorts between
        )
        rows = connection.execute(
            select(events.lot_id)
            .where(events.lot_id >= prefix, events.lot_id < after_prefix)
            .distinct()
        )
        return sorted(row[0] for row in rows)

    # --- the stock card ---

    def stock_card(self, lot_id: str, when: When) -> list[Row]:
        with self.engine.connect() as connection:
            lots = self._lots(connection, [lot_id], when.known_at)
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


def _zero() -> Decimal:
    return Decimal(0)


def _known(recorded_at: datetime | None, known_at: datetime | None) -> bool:
    return recorded_at is not None and (known_at is None or recorded_at <= known_at)


def _until(lot: Lot, end: datetime) -> Lot:
    """The lot with only what happened by ``end`` (versions kept)."""
    return Lot(lot.lot_id, tuple(e for e in lot.entries if e.event.effective_at <= end))


def _provinces(connection: Connection) -> dict[str, str]:
    rows = connection.execute(select(t.warehouses.c.warehouse_id, t.warehouses.c.province))
    return {warehouse_id: province for warehouse_id, province in rows}


def _balance_row(h: Holding) -> Row:
    return {
        "lot_id": h.lot_id,
        "declaration_no": h.declaration_no,
        "warehouse_id": h.warehouse_id,
        "goods_owner_tax_code": h.goods_owner_tax_code,
        "hs_code": h.hs_code,
        "description": h.description,
        "unit": h.unit,
        "on_hand": h.on_hand,
        "in_transit": h.in_transit,
        "first_warehoused_on": h.first_warehoused_on.isoformat(),
    }


__all__ = ["Filters", "ReadModel", "When"]
