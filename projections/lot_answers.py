"""Balances, clocks, overdue lots and settlements (DOMAIN.md §5), answered from the lot read
models.

Every answer holds at the end of ``as_of`` (effective, in the warehouse's zone) as the ledger
knew it at ``known_at`` (recorded). With no ``known_at`` and an ``as_of`` at or after the last
effective moment recorded, the current-state table answers alone (the fast path); otherwise
the lot states answer in SQL (``projections.holdings``). ``projections.folded`` keeps the
reference: every candidate lot's events folded by the ledger's own ``Lot``. Settlements and
stock cards have modules of their own, in SQL too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Select, String, false, func, select, union_all

from ledger.clock import Clock
from ledger.events import Event
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.answers import (
    EVERY,
    Filters,
    Holding,
    Page,
    When,
    no_collection_pauses,
    page_kept,
)
from projections.folded import folded_holdings
from projections.holdings import holdings_at
from projections.settlements import settlements
from projections.stock_cards import stock_card

Row = dict[str, Any]
Decode = Callable[[str, bytes], Event]


class LotAnswers:
    """The lot questions over one engine, by one rule pack."""

    def __init__(
        self, engine: Engine, decode: Decode, pack: RulePack, due_soon_days: int | None = None
    ) -> None:
        self.engine = engine
        self.decode = decode
        self.pack = pack
        self.due_soon_days = pack.due_soon_days if due_soon_days is None else due_soon_days

    # Each answer runs whole without cyclic-GC pauses: its thousands of rows are made after
    # the query too, and a full collection set off there walks the whole heap (at 1M events
    # it made a province's p99 ten times its p50).

    def balances(self, filters: Filters, when: When, page: Page = EVERY) -> list[Row]:
        with no_collection_pauses():
            return [_balance_row(h) for h in self._holdings(filters, when, page)]

    def clocks(self, filters: Filters, when: When, page: Page = EVERY) -> list[Row]:
        with no_collection_pauses():
            return [self._clock_row(h, when) for h in self._holdings(filters, when, page)]

    def stock(self, filters: Filters, when: When) -> list[Row]:
        """Stock per goods item in each warehouse: the lots' goods summed exactly."""
        items: dict[tuple[str, str, str, str], list[Any]] = {}
        with no_collection_pauses():
            for h in self._holdings(filters, when):
                key = (h.warehouse_id, h.hs_code, h.description, h.unit)
                item = items.setdefault(key, [0, Decimal(0), Decimal(0)])
                item[0] += 1
                item[1] += Decimal(h.on_hand)
                item[2] += Decimal(h.in_transit)
        return [
            {
                "warehouse_id": key[0],
                "hs_code": key[1],
                "description": key[2],
                "unit": key[3],
                "lots": lots,
                "on_hand": decimal_text(on_hand),
                "in_transit": decimal_text(in_transit),
            }
            for key, (lots, on_hand, in_transit) in sorted(items.items())
        ]

    def overdue(self, filters: Filters, when: When, page: Page = EVERY) -> list[Row]:
        def fetch(batch: Page) -> list[Row]:
            return [self._clock_row(h, when) for h in self._holdings(filters, when, batch, True)]

        with no_collection_pauses():
            return page_kept(fetch, _is_overdue, _lot_id, page)

    def _holdings(
        self, filters: Filters, when: When, page: Page = EVERY, overdue: bool = False
    ) -> list[Holding]:
        """Each lot with a non-zero balance at the end of ``as_of``, as known at ``known_at``,
        in the order of their ids, from ``page.after`` on."""
        with self.engine.connect() as connection:
            if self._is_current(connection, when):
                return self._current_holdings(connection, filters, when, overdue, page)
            return holdings_at(connection, filters, when, self.pack, page)

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
        self, connection: Connection, filters: Filters, when: When, overdue: bool, page: Page
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
        )
        query = holding_goods(query, filters)
        if filters.in_transit_only:
            query = query.where(lots.in_transit != "0")  # zero is always written "0"
        if overdue:
            query = query.where(lots.deadline < when.as_of)
        if page.after is not None:
            query = query.where(lots.lot_id > page.after)
        query = in_scope(query, filters, ("lot_id",), page.size)
        return [Holding(*row) for row in connection.execute(query)]

    def settlements(
        self,
        filters: Filters,
        when: When,
        page: Page = EVERY,
        statuses: frozenset[str] | None = None,
    ) -> list[Row]:
        with self.engine.connect() as connection, no_collection_pauses():
            current = self._is_current(connection, when)
            return settlements(connection, self.pack, filters, when, page, statuses, current)

    def stock_card(self, lot_id: str, when: When) -> list[Row]:
        with self.engine.connect() as connection, no_collection_pauses():
            return stock_card(connection, lot_id, when)

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


def holding_goods(query: Select[Any], filters: Filters) -> Select[Any]:
    """``query`` of the lots (``rm_lots``) narrowed to those holding goods now, of the
    warehouse, goods owner, lot and province the filters name (their scope: ``in_scope``)."""
    lots = t.lots.c
    query = query.where(lots.has_balance.is_(True))
    for column, value in (
        (lots.warehouse_id, filters.warehouse_id),
        (lots.goods_owner_tax_code, filters.owner),
        (lots.lot_id, filters.lot_id),
        (lots.province, filters.province),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


def in_scope(
    query: Select[Any],
    filters: Filters,
    order: Sequence[str],
    size: int | None,
    collation: str | None = None,
) -> Select[Any]:
    """``query`` of the lots (``rm_lots``) limited to the warehouses of the caller's scope,
    ordered by the lots' columns named in ``order`` (text ones in ``collation``, if given),
    its first ``size`` rows. A page of the lots of many warehouses is the first rows of each
    warehouse, each one index range of (warehouse, has_balance, ...), merged: the whole scope
    in one query sorts every lot of it for the first hundred (250 ms for the 167,219 lots of
    200 warehouses at 1.1M events)."""

    def ordered(columns: Any) -> list[Any]:
        found = [columns[name] for name in order]
        if collation is None:
            return found
        return [c.collate(collation) if isinstance(c.type, String) else c for c in found]

    lots = t.lots.c
    scope = filters.warehouses
    if scope is not None and filters.warehouse_id is None and size is not None:
        if not scope:
            return query.where(false())
        ranges = [
            query.where(lots.warehouse_id == warehouse)
            .order_by(*ordered(lots))
            .limit(size)
            .subquery()
            for warehouse in sorted(scope)
        ]
        merged = union_all(*(select(r) for r in ranges)).subquery()
        return select(merged).order_by(*ordered(merged.c)).limit(size)
    if scope is not None:
        query = query.where(lots.warehouse_id.in_(sorted(scope)))
    return query.order_by(*ordered(lots)).limit(size)


def _is_overdue(row: Row) -> bool:
    return bool(row["status"] == "overdue")


def _lot_id(row: Row) -> str:
    return str(row["lot_id"])


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
