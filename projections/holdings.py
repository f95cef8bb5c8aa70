"""Which lots held goods at the end of a day, as the ledger knew it at a moment: in SQL.

Balances are sums of the lot history's rows; a lot's warehouse, owner and terms are those of
its latest row (in effective order, recorded order breaking ties) that sets them; all under

    effective_at <= end of as_of AND recorded_at <= known_at
    AND (reversed_at IS NULL OR reversed_at > known_at)

No lot is folded: Python only adds the two halves of each sum and asks ``ledger.clock`` for
the deadline of each row it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    func,
    or_,
    select,
)

from ledger.clock import deadline, first_warehousing_date
from ledger.numbers import decimal_text
from ledger.registry import RentContract
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.answers import Filters, Holding, When
from projections.history import from_parts
from projections.projector import load_contract

h = t.lot_history.c
o = t.lot_origins.c


@dataclass(frozen=True, slots=True)
class Dates:
    """What a lot's clock needs, as of the moment asked."""

    registered_on: date
    first_warehoused_on: date
    extension_days: int
    declared_expires_on: date | None


def visible(when: When) -> list[ColumnElement[bool]]:
    """The rows that had taken effect by the end of ``as_of``, as known at ``known_at``."""
    if when.known_at is None:
        return [h.effective_at <= when.end, h.reversed_at.is_(None)]
    return [
        h.effective_at <= when.end,
        h.recorded_at <= when.known_at,
        or_(h.reversed_at.is_(None), h.reversed_at > when.known_at),
    ]


def _in_province(province: str) -> Select[Any]:
    return select(t.warehouses.c.warehouse_id).where(t.warehouses.c.province == province)


def candidates(filters: Filters) -> list[ColumnElement[bool]]:
    """Lots that could match: ever in the warehouse (province) or with the owner asked."""
    if filters.lot_id is not None:
        return [h.lot_id == filters.lot_id]
    if filters.warehouse_id is not None:
        ever = select(h.lot_id).where(h.warehouse_id == filters.warehouse_id)
    elif filters.province is not None:
        ever = select(h.lot_id).where(h.warehouse_id.in_(_in_province(filters.province)))
    elif filters.owner is not None:
        ever = select(h.lot_id).where(h.goods_owner_tax_code == filters.owner)
    else:
        return []
    return [h.lot_id.in_(ever)]


def _latest(where: Sequence[ColumnElement[bool]], *columns: Any) -> Subquery:
    """Per lot, the columns of its latest row among ``where``."""
    rank = (
        func.row_number()
        .over(partition_by=h.lot_id, order_by=(h.effective_at.desc(), h.version.desc()))
        .label("rank")
    )
    ranked = select(h.lot_id, *columns, rank).where(*where).subquery()
    return (
        select(ranked.c.lot_id, *(ranked.c[c.name] for c in columns))
        .where(ranked.c.rank == 1)
        .subquery()
    )


def holdings_query(filters: Filters, when: When) -> Select[Any]:
    where = [*visible(when), *candidates(filters)]
    sums = (
        select(
            h.lot_id,
            func.sum(h.on_hand_units).label("on_hand_units"),
            func.sum(h.on_hand_nanos).label("on_hand_nanos"),
            func.sum(h.in_transit_units).label("in_transit_units"),
            func.sum(h.in_transit_nanos).label("in_transit_nanos"),
            func.sum(h.extension_days).label("extension_days"),
        )
        .where(*where)
        .group_by(h.lot_id)
        .subquery()
    )
    place = _latest([*where, h.warehouse_id.is_not(None)], h.warehouse_id)
    owner = _latest([*where, h.goods_owner_tax_code.is_not(None)], h.goods_owner_tax_code)
    terms = _latest([*where, h.sets_terms.is_(True)], h.contract_no, h.declared_expires_on)
    query = (
        select(
            o.lot_id,
            o.declaration_no,
            place.c.warehouse_id,
            owner.c.goods_owner_tax_code,
            o.hs_code,
            o.description,
            o.unit,
            o.registered_on,
            o.first_warehoused_on,
            (o.extension_days + sums.c.extension_days).label("extension_days"),
            terms.c.contract_no,
            terms.c.declared_expires_on,
            sums.c.on_hand_units,
            sums.c.on_hand_nanos,
            sums.c.in_transit_units,
            sums.c.in_transit_nanos,
        )
        .select_from(
            sums.join(place, place.c.lot_id == sums.c.lot_id)
            .join(owner, owner.c.lot_id == sums.c.lot_id)
            .join(terms, terms.c.lot_id == sums.c.lot_id)
            .join(t.lot_origins, o.lot_id == sums.c.lot_id)
        )
        .order_by(o.lot_id)
    )
    conditions = []
    if filters.warehouse_id is not None:
        conditions.append(place.c.warehouse_id == filters.warehouse_id)
    if filters.owner is not None:
        conditions.append(owner.c.goods_owner_tax_code == filters.owner)
    if filters.province is not None:
        conditions.append(place.c.warehouse_id.in_(_in_province(filters.province)))
    return query.where(and_(*conditions)) if conditions else query


def holdings_at(
    connection: Connection, filters: Filters, when: When, pack: RulePack
) -> list[Holding]:
    """Each lot with a non-zero balance at the end of ``as_of``, as known at ``known_at``."""
    contracts: dict[str, RentContract | None] = {}
    found = []
    for row in connection.execute(holdings_query(filters, when)).mappings():
        on_hand = from_parts(int(row["on_hand_units"]), int(row["on_hand_nanos"]))
        in_transit = from_parts(int(row["in_transit_units"]), int(row["in_transit_nanos"]))
        if on_hand + in_transit <= 0:
            continue
        contract_no = row["contract_no"]
        if contract_no is not None and contract_no not in contracts:
            contracts[contract_no] = load_contract(connection, contract_no, when.known_at)
        dates = Dates(
            row["registered_on"],
            row["first_warehoused_on"],
            int(row["extension_days"]),
            row["declared_expires_on"],
        )
        contract = contracts[contract_no] if contract_no is not None else None
        found.append(
            Holding(
                row["lot_id"],
                row["declaration_no"],
                row["warehouse_id"],
                row["goods_owner_tax_code"],
                row["hs_code"],
                row["description"],
                row["unit"],
                decimal_text(on_hand),
                decimal_text(in_transit),
                first_warehousing_date(dates, pack),
                deadline(dates, pack, contract, when.end),
            )
        )
    return found
