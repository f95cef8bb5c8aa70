"""What a caller may see of the read models: its scope (``ledger.access.read_scope``, from
the registered warehouses) turned into filters, and whether a lot is in it.

A lot is in a warehouse-scoped caller's sight if it was ever placed in one of its warehouses;
in a goods owner's if the owner ever owned it (``rm_lot_parties`` keeps both).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, select

from ledger.access import ReadScope, User, read_scope
from projections import tables as t
from projections.answers import Filters


def scope_of(connection: Connection, user: User) -> ReadScope:
    w = t.warehouses.c
    rows = connection.execute(
        select(w.warehouse_id, w.owner_tax_code, w.customs_office, w.province)
    ).all()
    return read_scope(user, rows)


def within(filters: Filters, scope: ReadScope) -> Filters:
    """The filters asked, narrowed to the scope."""
    return replace(
        filters,
        warehouses=scope.warehouses,
        owner=scope.owner if scope.owner is not None else filters.owner,
    )


def lot_in_sight(connection: Connection, scope: ReadScope, lot_id: str) -> bool:
    """Whether the lot exists and the scope sees it: one the caller may not see is answered
    as one that does not exist."""
    p = t.lot_parties.c
    query = select(p.lot_id).where(p.lot_id == lot_id)
    if scope.owner is not None:
        query = query.where(p.kind == "owner", p.value == scope.owner)
    elif scope.warehouses is not None:
        query = query.where(p.kind == "warehouse", p.value.in_(sorted(scope.warehouses)))
    return connection.execute(query.limit(1)).first() is not None
