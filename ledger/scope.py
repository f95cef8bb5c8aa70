"""What a user may see (DOMAIN.md §1): each role's scope as a pure function of a warehouse,
the scope of a caller's questions, the names a question may not ask outright, and the events
the feed shows. A caller outside its scope learns nothing of what is there: a lot it may not
see is answered as a lot that does not exist; a warehouse outside it is ``Forbidden`` whether
it exists or not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ledger.errors import Forbidden
from ledger.events import (
    ContractEvent,
    DeclarationEvent,
    EnterpriseRegistered,
    Event,
    LotEvent,
    UserEvent,
    WarehouseEvent,
    WarehouseRegistered,
)
from ledger.roles import Role
from ledger.users import User

READS_LOTS = frozenset(
    {
        Role.WAREHOUSE_OWNER,
        Role.GOODS_OWNER,
        Role.CUSTOMS_OFFICER,
        Role.PROVINCIAL_INSPECTOR,
        Role.AUDITOR,
        Role.OPERATOR,
    }
)


class Placed(Protocol):
    """A warehouse as far as scopes go: a registered one, or a row of the reference model."""

    @property
    def warehouse_id(self) -> str: ...

    @property
    def owner_tax_code(self) -> str: ...

    @property
    def customs_office(self) -> str: ...

    @property
    def province(self) -> str: ...


def sees_warehouse(user: User, warehouse: Placed) -> bool:
    """Whether the warehouse and the lots in it are in the user's scope."""
    match user.role:
        case Role.WAREHOUSE_OWNER:
            return warehouse.owner_tax_code == user.enterprise
        case Role.CUSTOMS_OFFICER:
            return warehouse.customs_office == user.office
        case Role.PROVINCIAL_INSPECTOR:
            return warehouse.province == user.province
        case Role.AUDITOR | Role.OPERATOR:
            return True
        case _:
            return False


def sees_everything(user: User) -> bool:
    return user.role in (Role.AUDITOR, Role.OPERATOR)


@dataclass(frozen=True)
class ReadScope:
    """What a caller's answers are limited to: these warehouses (None: every one), and the
    lots of this goods owner (None: any)."""

    warehouses: frozenset[str] | None = None
    owner: str | None = None


def read_scope(user: User, warehouses: Iterable[Placed]) -> ReadScope:
    """The scope of a caller's questions about lots, from every registered warehouse."""
    if not user.active:
        raise Forbidden("user_disabled", f"user {user.name} is disabled")
    if user.role not in READS_LOTS:
        raise Forbidden("role_not_allowed", f"a {user.role} reads no lots, balances or clocks")
    if sees_everything(user):
        return ReadScope()
    if user.role is Role.GOODS_OWNER:
        return ReadScope(owner=user.enterprise)
    return ReadScope(frozenset(w.warehouse_id for w in warehouses if sees_warehouse(user, w)))


def check_asked(
    user: User,
    scope: ReadScope,
    warehouse_id: str | None = None,
    owner: str | None = None,
    province: str | None = None,
) -> None:
    """Refuses a question that names, outright, a warehouse, goods owner or province outside
    the caller's scope (whether it exists or not); other filters only narrow the answer."""
    limited = scope.warehouses
    if warehouse_id is not None and limited is not None and warehouse_id not in limited:
        raise Forbidden(
            "outside_scope",
            f"warehouse {warehouse_id} is outside the scope of {user.role} {user.name}",
            "warehouse",
        )
    if owner is not None and scope.owner is not None and owner != scope.owner:
        raise Forbidden(
            "outside_scope",
            f"a goods owner reads its own lots only ({scope.owner}), not {owner}'s",
            "owner",
        )
    inspector = user.role is Role.PROVINCIAL_INSPECTOR
    if province is not None and inspector and province != user.province:
        raise Forbidden(
            "outside_scope",
            f"province {province} is outside the scope of {user.role} {user.name}",
            "province",
        )


class InSight(Protocol):
    """Whether the things an event is about are within a caller's scope (from the read
    models: where a lot has been, whose it has been, where a declaration's goods are)."""

    def lot(self, lot_id: str) -> bool: ...

    def warehouse(self, warehouse_id: str) -> bool: ...

    def declaration(self, declaration_no: str) -> bool: ...


def sees_event(user: User, event: Event, sight: InSight) -> bool:
    """Whether the event feed shows this event to the user: an auditor everything; an admin
    users and reference data; the others what their scope covers of lots, warehouses and
    declarations."""
    if sees_everything(user):
        return True
    if user.role is Role.ADMIN:
        return isinstance(
            event, UserEvent | EnterpriseRegistered | WarehouseRegistered | ContractEvent
        )
    if isinstance(event, LotEvent):
        return sight.lot(event.lot_id)
    if isinstance(event, WarehouseEvent | WarehouseRegistered):
        return sight.warehouse(event.warehouse_id)
    if isinstance(event, DeclarationEvent):
        return sight.declaration(event.declaration_no)
    return False
