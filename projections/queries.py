"""The read models' answers, one object for the doors: each question answered by the module
that answers it (``projections.lot_answers``, ``settlements``, ``stock_cards``,
``ecommerce_answers``, ``warnings``), limited to what a caller may see (``visibility``,
``names``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select

from ledger.events import Event
from ledger.rulepacks import RulePack
from ledger.scope import ReadScope
from ledger.users import User
from projections import tables as t
from projections.answers import EVERY, Filters, Holding, Page, When, no_collection_pauses
from projections.ecommerce_answers import (
    ask_allowance,
    ask_licence_card,
    ask_licences,
    ask_orders,
)
from projections.ecommerce_queries import OrderFilters
from projections.entries import StoredAt, entry
from projections.lineage import clock_marks, lineage
from projections.lot_answers import LotAnswers
from projections.names import inspected_province, named, place_named
from projections.reports_owed import ReportOwed, reports_owed, warehouses_named
from projections.visibility import Sight, lot_in_sight, scope_of
from projections.warnings import Only, warnings

Row = dict[str, Any]
Decode = Callable[[str, bytes], Event]


class ReadModel:
    """Every answer of the read models, each from the module that answers it: the lot
    questions (``LotAnswers``), what a caller may see, e-commerce and warnings."""

    def __init__(
        self,
        engine: Engine,
        decode: Decode,
        pack: RulePack,
        due_soon_days: int | None = None,
        stored_at: StoredAt | None = None,
    ) -> None:
        self.engine = engine
        self.decode = decode
        self.pack = pack
        self.stored_at = stored_at  # where the event store keeps an event: for its chain link
        self.lots = LotAnswers(engine, decode, pack, due_soon_days)
        self.due_soon_days = self.lots.due_soon_days

    # --- balances, clocks, overdue, settlements, stock cards ---

    def balances(self, filters: Filters, when: When, page: Page = EVERY) -> list[Row]:
        return self.lots.balances(filters, when, page)

    def clocks(self, filters: Filters, when: When, page: Page = EVERY) -> list[Row]:
        return self.lots.clocks(filters, when, page)

    def stock(self, filters: Filters, when: When) -> list[Row]:
        return self.lots.stock(filters, when)

    def overdue(self, filters: Filters, when: When, page: Page = EVERY) -> list[Row]:
        return self.lots.overdue(filters, when, page)

    def settlements(
        self,
        filters: Filters,
        when: When,
        page: Page = EVERY,
        statuses: frozenset[str] | None = None,
    ) -> list[Row]:
        return self.lots.settlements(filters, when, page, statuses)

    def reports_owed(self, filters: Filters, when: When) -> list[ReportOwed]:
        with self.engine.connect() as connection:
            return reports_owed(connection, filters, when, self.pack)

    def folded_holdings(self, filters: Filters, when: When) -> list[Holding]:
        """The reference answer (``LotAnswers.folded_holdings``)."""
        return self.lots.folded_holdings(filters, when)

    def stock_card(self, lot_id: str, when: When) -> list[Row]:
        return self.lots.stock_card(lot_id, when)

    # --- a lot's page: its lineage, its clock's marks, an entry in its context ---

    def lineage(self, scope: ReadScope, lot_id: str, when: When) -> list[Row]:
        """The lot's family tree, the lots the scope sees (``projections.lineage``)."""
        with self.engine.connect() as connection:
            return lineage(
                connection, lot_id, when, lambda ids: Sight(connection, scope, ids, ()).lots
            )

    def clock_marks(self, scope: ReadScope, lot_id: str, when: When) -> list[Row]:
        """The marks on the lot's storage clock (``projections.lineage``): of its ancestors,
        only those of the lots the scope sees."""
        with self.engine.connect() as connection:
            return clock_marks(
                connection,
                lot_id,
                when,
                self.pack,
                lambda ids: Sight(connection, scope, ids, ()).lots,
            )

    def entry(self, lot_id: str, version: int, when: When) -> Row | None:
        with self.engine.connect() as connection:
            return entry(connection, lot_id, version, when, self.stored_at)

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

    def warehouses_of(self, filters: Filters) -> frozenset[str]:
        """The warehouses a question's filters name (a warehouse, a province) in its scope."""
        with self.engine.connect() as connection:
            return frozenset(connection.execute(warehouses_named(filters)).scalars())

    def lots_ever_in(self, warehouse_id: str) -> set[str]:
        """Every lot ever placed in the warehouse, as far as the read models have caught up."""
        p = t.lot_parties.c
        query = select(p.lot_id).where(p.kind == "warehouse", p.value == warehouse_id)
        with self.engine.connect() as connection:
            return set(connection.execute(query).scalars())

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
        self,
        caller: User,
        when: When,
        kind: str | None = None,
        only: Only | None = None,
        page: Page = EVERY,
    ) -> list[Row]:
        return warnings(self.lots, caller, when, kind, only, page)


__all__ = ["Filters", "OrderFilters", "ReadModel", "When"]
