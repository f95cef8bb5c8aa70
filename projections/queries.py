"""Balances, clocks and overdue lots (DOMAIN.md §5), and the one door to every question.

Every answer holds at the end of ``as_of`` (effective, in the warehouse's zone) as the ledger
knew it at ``known_at`` (recorded). With no ``known_at`` and an ``as_of`` at or after the last
effective moment recorded, the current-state table answers alone (the fast path); otherwise
the lot states answer in SQL (``projections.holdings``). ``projections.folded`` keeps the
reference: every candidate lot's events folded by the ledger's own ``Lot``. Settlements and
stock cards have modules of their own, in SQL too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ledger.access import ReadScope, User
from ledger.clock import Clock
from ledger.events import Event
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.answers import Filters, Holding, When, no_collection_pauses
from projections.ecommerce_answers import (
    ask_allowance,
    ask_licence_card,
    ask_licences,
    ask_orders,
)
from projections.ecommerce_queries import OrderFilters
from projections.folded import folded_holdings
from projections.holdings import holdings_at
from projections.names import inspected_province, named, place_named
from projections.settlements import settlements
from projections.stock_cards import stock_card
from projections.visibility import lot_in_sight, scope_of
from projections.warnings import Only, warnings

Row = dict[str, Any]
Decode = Callable[[str, bytes], Event]


class ReadModel:
    def __init__(
        self, engine: Engine, decode: Decode, pack: RulePack, due_soon_days: int | None = None
    ) -> None:
        self.engine = engine
        self.decode = decode
        self.pack = pack
        self.due_soon_days = pack.due_soon_days if due_soon_days is None else due_soon_days

    # --- balances and clocks ---

    # Each answer runs whole without cyclic-GC pauses: its thousands of rows are made after
    # the query too, and a full collection set off there walks the whole heap (at 1M events
    # it made a province's p99 ten times its p50).

    def balances(self, filters: Filters, when: When) -> list[Row]:
        with no_collection_pauses():
            return [_balance_row(h) for h in self._holdings(filters, when)]

    def clocks(self, filters: Filters, when: When) -> list[Row]:
        with no_collection_pauses():
            return [self._clock_row(h, when) for h in self._holdings(filters, when)]

    def overdue(self, filters: Filters, when: When) -> list[Row]:
        with no_collection_pauses():
            clocks = (self._clock_row(h, when) for h in self._holdings(filters, when, True))
            return [row for row in clocks if row["status"] == "overdue"]

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
            return folded_holdings(connection, self.decode, self.pack, filters, when)

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
        if filters.warehouses is not None:
            query = query.where(lots.warehouse_id.in_(sorted(filters.warehouses)))
        if overdue:
            query = query.where(lots.deadline < when.as_of)
        return [Holding(*row) for row in connection.execute(query.order_by(lots.lot_id))]

    def settlements(self, filters: Filters, when: When) -> list[Row]:
        with self.engine.connect() as connection, no_collection_pauses():
            return settlements(connection, self.pack, filters, when)

    # --- what a caller may see ---

    def scope(self, user: User) -> ReadScope:
        with self.engine.connect() as connection:
            return scope_of(connection, user)

    def named(self, caller: User, scope: ReadScope, filters: Filters) -> Filters:
        """``filters`` with each name as recorded (matched without regard to case or accents),
        refused if it names, outright, what the caller may not see (403, whether it exists or
        not) or what does not exist (404, with the nearest names the caller may see)."""
        with self.engine.connect() as connection:
            return named(connection, caller, scope, filters)

    def inspected_province(self, caller: User, province: str) -> str:
        """The province as recorded, once the caller may inspect it and it exists."""
        with self.engine.connect() as connection:
            return inspected_province(connection, caller, province)

    def place_named(self, kind: str, given: str) -> str:
        """The customs office (``office``) or province (``province``) as recorded."""
        with self.engine.connect() as connection:
            return place_named(connection, kind, given)

    def lot_in_sight(self, scope: ReadScope, lot_id: str) -> bool:
        with self.engine.connect() as connection:
            return lot_in_sight(connection, scope, lot_id)

    def lots_ever_in(self, warehouse_id: str) -> set[str]:
        """Every lot ever placed in the warehouse, as far as the read models have caught up."""
        p = t.lot_parties.c
        query = select(p.lot_id).where(p.kind == "warehouse", p.value == warehouse_id)
        with self.engine.connect() as connection:
            return set(connection.execute(query).scalars())

    def stock_card(self, lot_id: str, when: When) -> list[Row]:
        with self.engine.connect() as connection, no_collection_pauses():
            return stock_card(connection, lot_id, when)

    # --- e-commerce (DOMAIN.md §7), each limited to what the caller may see ---

    def licences(
        self, caller: User, when: When, owner: str | None = None, status: str | None = None
    ) -> list[Row]:
        with self.engine.connect() as connection:
            return ask_licences(connection, caller, when, owner, status)

    def licence_card(self, caller: User, licence_no: str, when: When) -> list[Row]:
        with self.engine.connect() as connection:
            return ask_licence_card(connection, caller, licence_no, when)

    def orders(self, caller: User, filters: OrderFilters, when: When) -> list[Row]:
        with self.engine.connect() as connection, no_collection_pauses():
            return ask_orders(connection, caller, filters, when)

    def allowance(self, caller: User, buyer_id: str, year: int, when: When) -> list[Row]:
        with self.engine.connect() as connection:
            return ask_allowance(connection, caller, buyer_id, year, when, self.pack)

    def warnings(
        self, caller: User, when: When, kind: str | None = None, only: Only | None = None
    ) -> list[Row]:
        return warnings(self, caller, when, kind, only)

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


__all__ = ["Filters", "OrderFilters", "ReadModel", "When"]
