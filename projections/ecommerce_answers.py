"""The e-commerce questions (DOMAIN.md §7) asked by a caller: each answer limited to what the
caller may see. A licence is seen by its goods owner, by the warehouse owners who store that
owner's goods, and by customs, inspectors and auditors; an order by whoever sees its lot; a
buyer's allowance (no lot in it) by every role that reads lots."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ledger.errors import Forbidden, NotFound
from ledger.roles import Role
from ledger.scope import ReadScope
from ledger.users import User
from projections import tables as t
from projections.answers import When
from projections.ecommerce_queries import (
    LicenceScope,
    OrderFilters,
    allowance,
    licence_card,
    licence_exists,
    licences,
    orders,
)
from projections.visibility import scope_of

Row = dict[str, Any]


def licence_scope(connection: Connection, caller: User) -> LicenceScope:
    scope = scope_of(connection, caller)
    if scope.owner is not None:
        return LicenceScope(frozenset({scope.owner}))
    if caller.role is Role.WAREHOUSE_OWNER and scope.warehouses is not None:
        p = t.lot_parties.c
        stored_there = select(p.lot_id).where(
            p.kind == "warehouse", p.value.in_(sorted(scope.warehouses))
        )
        owners = connection.execute(
            select(p.value).where(p.kind == "owner", p.lot_id.in_(stored_there)).distinct()
        ).scalars()
        return LicenceScope(frozenset(owners))
    return LicenceScope()


def lots_in_sight(connection: Connection, scope: ReadScope) -> frozenset[str] | None:
    if scope.owner is None and scope.warehouses is None:
        return None
    p = t.lot_parties.c
    if scope.owner is not None:
        query = select(p.lot_id).where(p.kind == "owner", p.value == scope.owner)
    else:
        assert scope.warehouses is not None
        query = select(p.lot_id).where(p.kind == "warehouse", p.value.in_(sorted(scope.warehouses)))
    return frozenset(connection.execute(query).scalars())


def ask_licences(
    connection: Connection,
    caller: User,
    when: When,
    owner: str | None = None,
    status: str | None = None,
) -> list[Row]:
    scope = licence_scope(connection, caller)
    if owner is not None and scope.owners is not None and owner not in scope.owners:
        raise Forbidden(
            "outside_scope",
            f"goods owner {owner}'s licences are outside the scope of {caller.role} {caller.name}",
            "owner",
        )
    return licences(connection, when, scope, owner, status)


def ask_licence_card(
    connection: Connection, caller: User, licence_no: str, when: When
) -> list[Row]:
    owner = licence_exists(connection, licence_no, when)
    scope = licence_scope(connection, caller)
    if owner is None or (scope.owners is not None and owner not in scope.owners):
        raise NotFound(
            "unknown_licence", f"licence {licence_no} has not been registered", "licence_no"
        )
    return licence_card(connection, licence_no, when)


def ask_orders(
    connection: Connection, caller: User, filters: OrderFilters, when: When
) -> list[Row]:
    sight = lots_in_sight(connection, scope_of(connection, caller))
    return orders(connection, OrderFilters(**{**filters.__dict__, "lots": sight}), when)


def ask_allowance(
    connection: Connection, caller: User, buyer_id: str, year: int, when: When, pack: Any
) -> list[Row]:
    scope_of(connection, caller)  # refuses a role that reads no lots
    return allowance(connection, buyer_id, year, when, pack)
