"""Who may do what (DOMAIN.md §1, §3): each role's commands as data, each role's scope as a
pure function of a warehouse or a lot, and ``authorize``, which a handler asks before decide.

A door only finds out who is calling (a token, ``--as``); everything else is here. The
installation's operator (the CLI without ``--as``) may do every command.

A caller outside its scope learns nothing of what is there: a lot it may not see is answered
as a lot that does not exist (``NotFound``); a warehouse outside its scope is ``Forbidden``
whether it exists or not.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from ledger import intents as i
from ledger.errors import Forbidden, Unauthenticated, unknown_declaration, unknown_lot
from ledger.events import (
    ContractEvent,
    DeclarationEvent,
    EnterpriseRegistered,
    Event,
    LotEvent,
    SubscriptionAdded,
    SubscriptionEnded,
    TokenIssued,
    TokensRevoked,
    UserAdded,
    UserDisabled,
    UserEvent,
    WarehouseEvent,
    WarehouseRegistered,
)
from ledger.roles import Role

if TYPE_CHECKING:
    from ledger.lot import Lot
    from ledger.recorded import Recorded

JUST_BEFORE = timedelta(microseconds=1)


REFERENCE = frozenset(
    {i.RegisterEnterprise, i.RegisterWarehouse, i.RegisterRentContract, i.ExtendRentContract}
)
ACCOUNTS = frozenset(i.ACCOUNT_INTENT_TYPES)
# what ministries publish, recorded by the admin: no warehouse is in it
PUBLISHED = frozenset({i.PublishGoodsList, i.StopExemption, i.ResumeExemption})
# a licence belongs to a goods owner, not to a warehouse: any customs office may record it
LICENCES = frozenset({i.RegisterLicence, i.RevokeLicence})
# what every user may record for itself alone, whatever its role: its subscriptions (§8)
OWN = frozenset(i.SUBSCRIPTION_INTENT_TYPES)
EVERY_KIND = (*i.INTENT_TYPES, *i.ACCOUNT_INTENT_TYPES, *i.SUBSCRIPTION_INTENT_TYPES)

# What each role may ask the ledger to record (§1; the role limits of §3's table), as each
# kind of command declares it; the operator, everything.
RECORDS: Mapping[Role, frozenset[type[i.Intent]]] = {
    role: frozenset(kind for kind in EVERY_KIND if role in kind.recorded_by) for role in Role
} | {Role.OPERATOR: frozenset(EVERY_KIND)}

# The one field that places a user: which enterprise, office or province it acts for.
SCOPE_FIELD: Mapping[Role, str | None] = {
    Role.WAREHOUSE_OWNER: "enterprise",
    Role.GOODS_OWNER: "enterprise",
    Role.CUSTOMS_OFFICER: "office",
    Role.PROVINCIAL_INSPECTOR: "province",
    Role.AUDITOR: None,
    Role.ADMIN: None,
    Role.OPERATOR: None,
}

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


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    enterprise: str | None = None
    office: str | None = None
    province: str | None = None
    active: bool = True
    token_hashes: frozenset[str] = field(default_factory=frozenset)
    subscriptions: frozenset[str] = field(default_factory=frozenset)  # the ids not ended

    @classmethod
    def from_events(cls, events: Sequence[Event]) -> User | None:
        user: User | None = None
        for event in events:
            match event:
                case UserAdded():
                    user = cls(
                        event.name,
                        Role(event.role),
                        event.enterprise,
                        event.office,
                        event.province,
                    )
                case UserDisabled() if user is not None:
                    user = replace(user, active=False, token_hashes=frozenset())
                case TokenIssued() if user is not None:
                    user = replace(user, token_hashes=user.token_hashes | {event.token_hash})
                case TokensRevoked() if user is not None:
                    user = replace(user, token_hashes=frozenset())
                case SubscriptionAdded() if user is not None:
                    user = replace(user, subscriptions=user.subscriptions | {event.subscription_id})
                case SubscriptionEnded() if user is not None:
                    user = replace(user, subscriptions=user.subscriptions - {event.subscription_id})
        return user

    @property
    def place(self) -> str | None:
        """The enterprise, office or province the user acts for."""
        name = SCOPE_FIELD[self.role]
        return getattr(self, name) if name else None


OPERATOR = User("operator", Role.OPERATOR)


@dataclass(frozen=True)
class Credentials:
    """What a caller presents: a user's name and the SHA-256 of its token's secret."""

    name: str
    secret_hash: str


def authenticate(user: User | None, credentials: Credentials) -> User:
    """The user the credentials prove, read from its own stream; refused alike whether the
    user is unknown, disabled or the token revoked."""
    known = user.token_hashes if user is not None and user.active else frozenset()
    if user is None or not any(
        hmac.compare_digest(credentials.secret_hash, token_hash) for token_hash in known
    ):
        raise Unauthenticated(
            "invalid_token", "the bearer token is not valid: unknown, revoked, or its user disabled"
        )
    return user


def may_record(user: User, intent_type: type[i.Intent]) -> bool:
    return user.active and (intent_type in RECORDS[user.role] or intent_type in OWN)


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


def authorize(user: User, intent: i.Intent, recorded: Recorded) -> None:
    """Refuses, before any rule is asked, a command the user's role or scope does not allow:
    ``Forbidden`` for a command outside its role or a warehouse outside its scope,
    ``NotFound`` for a lot or declaration it may not see (as for one that does not exist)."""
    if not user.active:
        raise Forbidden("user_disabled", f"user {user.name} is disabled")
    command = i.command_name(type(intent))
    if not may_record(user, type(intent)):
        raise Forbidden(
            "role_not_allowed",
            f"a {user.role} may not {command}; {_who_may(type(intent)) or 'no role'} may",
        )
    if isinstance(intent, i.OwnIntent):
        if intent.name != user.name and user.role is not Role.OPERATOR:
            raise Forbidden(
                "not_your_own",
                f"a user may {command} for itself alone; {user.name} may not for {intent.name}",
                "name",
            )
        return
    if sees_everything(user) or type(intent) in REFERENCE | ACCOUNTS | PUBLISHED | LICENCES:
        return
    for warehouse_id in _warehouses(intent, recorded):
        warehouse = recorded.warehouse(warehouse_id)
        if warehouse is None or not sees_warehouse(user, warehouse):
            _outside(intent, user)


def authorize_role(user: User, intent_type: type[i.Intent]) -> None:
    """Refuses a command outside the user's role (whatever it names)."""
    if not user.active:
        raise Forbidden("user_disabled", f"user {user.name} is disabled")
    if not may_record(user, intent_type):
        raise Forbidden(
            "role_not_allowed",
            f"a {user.role} may not {i.command_name(intent_type)}; "
            f"{_who_may(intent_type) or 'no role'} may",
        )


def authorize_inspection(user: User, province: str) -> None:
    """The annual inspection pack of a province (Art. 55.8e): its own provincial inspectors,
    auditors, the admin and the installation's operator produce it; nobody else."""
    if not user.active:
        raise Forbidden("user_disabled", f"user {user.name} is disabled")
    if user.role in (Role.AUDITOR, Role.ADMIN, Role.OPERATOR):
        return
    if user.role is Role.PROVINCIAL_INSPECTOR:
        if user.province == province:
            return
        raise Forbidden(
            "outside_scope",
            f"province {province} is outside the scope of {user.role} {user.name} "
            f"({user.province})",
            "province",
        )
    raise Forbidden(
        "role_not_allowed",
        f"a {user.role} may not produce an inspection pack; a provincial inspector of the "
        "province, an auditor or the admin may",
    )


def _outside(intent: i.Intent, user: User) -> None:
    if isinstance(intent, i.LotIntent | i.ReverseEntry):
        raise unknown_lot(intent.lot_id)
    if isinstance(intent, i.SettleDeclaration | i.ExtendSettlement):
        raise unknown_declaration(intent.declaration_no)
    raise Forbidden(
        "outside_scope",
        f"the warehouse is outside the scope of {user.role} {user.name} ({user.place})",
        "warehouse_id",
    )


def _warehouses(intent: i.Intent, recorded: Recorded) -> list[str]:
    """The warehouses a command acts in: named, or where its lot or declaration is. A lot or
    declaration that does not exist acts nowhere (decide then refuses it as unknown)."""
    if isinstance(intent, i.LotIntent | i.ReverseEntry):
        return _lot_warehouse(recorded.lot(intent.lot_id), intent)
    if isinstance(intent, i.SettleDeclaration | i.ExtendSettlement):
        declaration = recorded.declaration(intent.declaration_no)
        return [declaration.warehouse_id] if declaration is not None else []
    if isinstance(intent, i.WarehouseGoods | i.RecordStockCount | i.SubmitReport):
        return [intent.warehouse_id]
    return []


def _lot_warehouse(lot: Lot, intent: i.LotIntent | i.ReverseEntry) -> list[str]:
    """Where the lot was at the command's moment: its right is judged on the warehouse that
    held the lot then, not now (a lot moved since, or not yet arrived, changes whose it was).
    A reversal's moment is the cancelled entry's, just before it took effect."""
    if isinstance(intent, i.LotIntent):
        facts = lot.facts_at(intent.effective_at)
    else:
        entry = lot.entry(intent.version)
        moment = entry.event.effective_at - JUST_BEFORE if entry is not None else None
        facts = lot.facts_at(moment) if moment is not None else lot.current()
    if facts is not None:
        return [facts.warehouse_id]
    # before the lot existed, or its creation reversed: where its creation placed it
    return [where for entry in lot.entries[:1] for _, where in entry.event.placements()]


def _who_may(intent_type: type[i.Intent]) -> str:
    roles = [str(role) for role, kinds in RECORDS.items() if intent_type in kinds]
    return ", ".join(role for role in roles if role != Role.OPERATOR)


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
