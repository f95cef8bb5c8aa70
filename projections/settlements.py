"""Settlements (55.8d): when each declaration emptied, when it must be settled, and whether it
was, as of a day and as known at a moment, in SQL. Nothing counts before it took effect.

A declaration emptied at the effective moment of the last change to the total of its lots
(``ledger.settlement.emptied_at``), if that total is then zero: one grouped query over the lot
history under the same visibility as every other answer (``projections.holdings.visible``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, not_, or_, select, type_coerce

from ledger.calendar import local_date
from ledger.registry import Declaration
from ledger.rulepacks import RulePack
from ledger.settlement import settlement_due_on, settlement_status
from projections import tables as t
from projections.answers import EVERY, Filters, Page, When, page_kept
from projections.exact import NANOS, from_parts

Row = dict[str, Any]

h = t.lot_history.c
o = t.lot_origins.c
d = t.declarations.c


def visible(when: When) -> list[ColumnElement[bool]]:
    """The rows that had taken effect by the end of ``as_of``, as known at ``known_at``."""
    if when.known_at is None:
        return [h.effective_at <= when.end, h.reversed_at.is_(None)]
    return [
        h.effective_at <= when.end,
        h.recorded_at <= when.known_at,
        or_(h.reversed_at.is_(None), h.reversed_at > when.known_at),
    ]


def declarations_existing(
    connection: Connection,
    filters: Filters,
    when: When,
    page: Page = EVERY,
    settled: bool | None = None,
    emptied_now: bool = False,
) -> list[Any]:
    """The declarations that existed at the end of ``as_of``, as known at ``known_at``, of the
    warehouse, goods owner, province and scope asked (a lot filter does not apply), in the
    order of their numbers from ``page.after`` on; given ``settled``, only those settled by
    then (True) or not (False); ``emptied_now``: only those none of whose lots holds goods
    now (in the current lots table)."""
    query = select(t.declarations).where(d.effective_at <= when.end)  # it exists from then
    if filters.warehouse_id is not None:
        query = query.where(d.warehouse_id == filters.warehouse_id)
    if filters.owner is not None:
        query = query.where(d.goods_owner_tax_code == filters.owner)
    if filters.province is not None:
        province = select(t.warehouses.c.warehouse_id).where(
            t.warehouses.c.province == filters.province
        )
        query = query.where(d.warehouse_id.in_(province))
    if filters.warehouses is not None:
        query = query.where(d.warehouse_id.in_(sorted(filters.warehouses)))
    if when.known_at is not None:
        query = query.where(d.recorded_at <= when.known_at)
    if settled is not None:
        by_then = and_(d.settled_at.is_not(None), d.settled_at <= when.end)
        if when.known_at is not None:
            by_then = and_(by_then, d.settled_recorded_at <= when.known_at)
        query = query.where(by_then if settled else not_(by_then))
    if emptied_now:
        lots = t.lots.c
        holding = select(lots.lot_id).where(
            lots.declaration_no == d.declaration_no, lots.has_balance.is_(True)
        )
        query = query.where(~holding.exists())
    if page.after is not None:
        query = query.where(d.declaration_no > page.after)
    query = query.order_by(d.declaration_no).limit(page.size)
    return list(connection.execute(query).mappings())


def settlements(
    connection: Connection,
    pack: RulePack,
    filters: Filters,
    when: When,
    page: Page = EVERY,
    statuses: frozenset[str] | None = None,
    current: bool = False,
) -> list[Row]:
    """Each declaration that existed at the end of ``as_of``, as known at ``known_at``, in the
    order of their numbers from ``page.after`` on; given ``statuses``, only those standing so
    (settled or not is asked in SQL, and, for those emptied, none of whose lots holds goods
    when the ``current`` lots table answers for the day; the rest is worked out a batch at a
    time)."""
    settled = None
    emptied_now = current and statuses is not None and statuses <= EMPTIED
    if statuses is not None and statuses <= {"settled"}:
        settled = True
    elif statuses is not None and "settled" not in statuses:
        settled = False

    def fetch(batch: Page) -> list[Row]:
        rows = declarations_existing(connection, filters, when, batch, settled, emptied_now)
        emptied = _emptied(connection, [row["declaration_no"] for row in rows], when)
        return [settlement_row(pack, row, emptied.get(row["declaration_no"]), when) for row in rows]

    if statuses is None:
        return fetch(page)
    return page_kept(fetch, lambda row: row["status"] in statuses, _declaration_no, page)


EMPTIED = frozenset({"awaiting_settlement", "settlement_overdue"})  # the statuses of emptied ones


def _declaration_no(row: Row) -> str:
    return str(row["declaration_no"])


def _emptied(
    connection: Connection, declaration_nos: Sequence[str], when: When
) -> dict[str, datetime]:
    units = h.on_hand_units + h.in_transit_units
    nanos = h.on_hand_nanos + h.in_transit_nanos
    moves_nothing = or_(and_(units == 0, nanos == 0), and_(units == -1, nanos == NANOS))
    found: dict[str, datetime] = {}
    for start in range(0, len(declaration_nos), 500):
        query = (
            select(
                o.declaration_no,
                func.sum(units),
                func.sum(nanos),
                type_coerce(func.max(case((not_(moves_nothing), h.effective_at))), t.UTCDateTime()),
            )
            .select_from(t.lot_history.join(t.lot_origins, o.lot_id == h.lot_id))
            .where(o.declaration_no.in_(declaration_nos[start : start + 500]), *visible(when))
            .group_by(o.declaration_no)
        )
        for declaration_no, total_units, total_nanos, last_change in connection.execute(query):
            if last_change is not None and from_parts(int(total_units), int(total_nanos)) == 0:
                found[declaration_no] = last_change
    return found


def settlement_row(pack: RulePack, row: Any, emptied: datetime | None, when: When) -> Row:
    """One declaration's settlement line from its read-model row and when it emptied."""
    known = when.known_at
    settled = row["settled_at"] if _known(row["settled_recorded_at"], known) else None
    extended = _known(row["extension_recorded_at"], known) and (
        row["extension_effective_at"] <= when.end
    )
    extension = row["extension_days"] if extended else 0
    declaration = Declaration(
        row["declaration_no"],
        row["registered_on"],
        row["warehouse_id"],
        row["goods_owner_tax_code"],
        None,
        (),
        settled,
        extension,
        1 if extension else 0,
    )
    due = settlement_due_on(declaration, emptied, pack) if emptied else None
    settled_on = local_date(settled) if settled is not None else None
    return {
        "declaration_no": row["declaration_no"],
        "warehouse_id": row["warehouse_id"],
        "emptied_on": local_date(emptied).isoformat() if emptied else None,
        "settlement_due_on": due.isoformat() if due else None,
        "settled_on": settled_on.isoformat() if settled_on and settled_on <= when.as_of else None,
        "status": settlement_status(declaration, emptied, when.as_of, pack),
    }


def _known(recorded_at: datetime | None, known_at: datetime | None) -> bool:
    return recorded_at is not None and (known_at is None or recorded_at <= known_at)
