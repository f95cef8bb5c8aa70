"""Which lots held goods at the end of a day, as the ledger knew it at a moment: in SQL.

Each lot's state in force then, as known then, is one row of ``rm_lot_states`` found by one
range on each time axis; no lot is folded. Python only asks ``ledger.clock`` for the deadline
of each row it returns, under the lot's contract as known at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, select, union_all

from ledger.clock import deadline, first_warehousing_date
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.answers import EVERY, Filters, Holding, Page, When
from projections.projector import load_contracts
from projections.states import END

s = t.lot_states.c
o = t.lot_origins.c


@dataclass(frozen=True, slots=True)
class Dates:
    """What a lot's clock needs, as of the moment asked."""

    registered_on: date
    first_warehoused_on: date
    extension_days: int
    declared_expires_on: date | None


def _in_province(province: str) -> Select[Any]:
    return select(t.warehouses.c.warehouse_id).where(t.warehouses.c.province == province)


def holdings_query(filters: Filters, when: When, page: Page = EVERY) -> Select[Any]:
    """The lots' states in force at the end of ``as_of`` as known at ``known_at``: one range
    on each axis (``projections.states``). As known now, the states still known are one index
    range; as known at a past moment, those superseded since are a second one beside it.
    Either way from the lot after ``page.after`` on, at most ``page.size`` of them."""
    still_known = _states(filters, when, page, s.recorded_to == END)
    if when.known_at is None:
        return still_known.order_by(s.lot_id).limit(page.size)
    still_known = still_known.where(s.recorded_from <= when.known_at)
    superseded = _states(
        filters, when, page, s.recorded_to > when.known_at, s.recorded_to < END
    ).where(s.recorded_from <= when.known_at)
    if page.size is not None:  # each side's first rows are enough for the first of both
        still_known = select(still_known.order_by(s.lot_id).limit(page.size).subquery())
        superseded = select(superseded.order_by(s.lot_id).limit(page.size).subquery())
    both = union_all(still_known, superseded).subquery()
    return select(both).order_by(both.c.lot_id).limit(page.size)


def _states(filters: Filters, when: When, page: Page, *known: ColumnElement[bool]) -> Select[Any]:
    query = (
        select(
            s.lot_id,
            o.declaration_no,
            s.warehouse_id,
            s.goods_owner_tax_code,
            o.hs_code,
            o.description,
            o.unit,
            o.registered_on,
            o.first_warehoused_on,
            (o.extension_days + s.extension_days).label("extension_days"),
            s.contract_no,
            s.declared_expires_on,
            s.on_hand,
            s.in_transit,
        )
        .select_from(t.lot_states.join(t.lot_origins, o.lot_id == s.lot_id))
        .where(s.effective_from <= when.end, s.effective_to > when.end, *known)
    )
    for column, value in ((s.warehouse_id, filters.warehouse_id), (s.lot_id, filters.lot_id)):
        if value is not None:
            query = query.where(column == value)
    if filters.owner is not None:
        query = query.where(s.goods_owner_tax_code == filters.owner)
    if filters.province is not None:
        query = query.where(s.warehouse_id.in_(_in_province(filters.province)))
    if filters.warehouses is not None:
        query = query.where(s.warehouse_id.in_(sorted(filters.warehouses)))
    if filters.in_transit_only:
        query = query.where(s.in_transit != "0")  # zero is always written "0"
    if page.after is not None:
        query = query.where(s.lot_id > page.after)
    return query


def _province_named(connection: Connection, filters: Filters) -> Filters:
    """The province as the list of its warehouses: an index range for each beats the join
    PostgreSQL plans for the subquery (a sequential scan of every state, 190 ms at 1M)."""
    if filters.province is None:
        return filters
    w = t.warehouses.c
    found = frozenset(
        connection.execute(select(w.warehouse_id).where(w.province == filters.province)).scalars()
    )
    scope = found if filters.warehouses is None else found & filters.warehouses
    return replace(filters, province=None, warehouses=scope)


def holdings_at(
    connection: Connection, filters: Filters, when: When, pack: RulePack, page: Page = EVERY
) -> list[Holding]:
    """Each lot with a non-zero balance at the end of ``as_of``, as known at ``known_at``, in
    the order of their ids, from ``page.after`` on."""
    query = holdings_query(_province_named(connection, filters), when, page)
    rows = connection.execute(query).all()
    contract_nos = sorted({row.contract_no for row in rows if row.contract_no is not None})
    contracts = load_contracts(connection, contract_nos, when.known_at)
    end = when.end
    found = []
    for (
        lot_id,
        declaration_no,
        warehouse_id,
        owner,
        hs_code,
        description,
        unit,
        registered_on,
        first_warehoused_on,
        extension_days,
        contract_no,
        declared_expires_on,
        on_hand,
        in_transit,
    ) in rows:  # in the order of holdings_query's columns
        dates = Dates(registered_on, first_warehoused_on, int(extension_days), declared_expires_on)
        contract = contracts.get(contract_no) if contract_no is not None else None
        found.append(
            Holding(
                lot_id,
                declaration_no,
                warehouse_id,
                owner,
                hs_code,
                description,
                unit,
                on_hand,
                in_transit,
                first_warehousing_date(dates, pack),
                deadline(dates, pack, contract, end),
            )
        )
    return found
