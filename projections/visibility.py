"""What a caller may see of the read models: its scope (``ledger.scope.read_scope``, from
the registered warehouses) turned into filters, and whether a lot is in it.

A lot is in a warehouse-scoped caller's sight if it was ever placed in one of its warehouses;
in a goods owner's if the owner ever owned it (``rm_lot_parties`` keeps both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import Connection, select

from ledger.scope import ReadScope, read_scope
from ledger.users import User
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


class Sight:
    """``ledger.scope.InSight`` for one page of events: the lots and declarations it names
    are looked up in two queries."""

    def __init__(
        self,
        connection: Connection,
        scope: ReadScope,
        lot_ids: Iterable[str],
        declaration_nos: Iterable[str],
    ) -> None:
        self.scope = scope
        self.lots = _lots_in_sight(connection, scope, sorted(set(lot_ids)))
        self.declarations = _declarations_in_sight(connection, scope, sorted(set(declaration_nos)))

    def lot(self, lot_id: str) -> bool:
        return lot_id in self.lots

    def warehouse(self, warehouse_id: str) -> bool:
        return self.scope.warehouses is not None and warehouse_id in self.scope.warehouses

    def declaration(self, declaration_no: str) -> bool:
        return declaration_no in self.declarations


def _lots_in_sight(connection: Connection, scope: ReadScope, lot_ids: list[str]) -> set[str]:
    p = t.lot_parties.c
    found: set[str] = set()
    for start in range(0, len(lot_ids), 500):
        query = select(p.lot_id).where(p.lot_id.in_(lot_ids[start : start + 500]))
        if scope.owner is not None:
            query = query.where(p.kind == "owner", p.value == scope.owner)
        elif scope.warehouses is not None:
            query = query.where(p.kind == "warehouse", p.value.in_(sorted(scope.warehouses)))
        found.update(row[0] for row in connection.execute(query))
    return found


def _declarations_in_sight(
    connection: Connection, scope: ReadScope, declaration_nos: list[str]
) -> set[str]:
    d = t.declarations.c
    found: set[str] = set()
    for start in range(0, len(declaration_nos), 500):
        query = select(d.declaration_no).where(
            d.declaration_no.in_(declaration_nos[start : start + 500])
        )
        if scope.owner is not None:
            query = query.where(d.goods_owner_tax_code == scope.owner)
        elif scope.warehouses is not None:
            query = query.where(d.warehouse_id.in_(sorted(scope.warehouses)))
        found.update(row[0] for row in connection.execute(query))
    return found
