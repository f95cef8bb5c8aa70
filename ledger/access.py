"""Who may record what (DOMAIN.md §1, §3): each role's commands as data (declared by each
kind of command, ``Intent.recorded_by``), and ``authorize``, which a handler asks before
decide, judging a command's right on the warehouse that held its lot at its moment. The
installation's operator (the CLI without ``--as``) may do every command. Who a user is:
``ledger.users``; what it may see: ``ledger.scope``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from ledger import intents as i
from ledger.errors import Forbidden, unknown_declaration, unknown_lot
from ledger.lot import Lot
from ledger.recorded import Recorded
from ledger.roles import Role
from ledger.scope import sees_everything, sees_warehouse
from ledger.users import User

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


def may_record(user: User, intent_type: type[i.Intent]) -> bool:
    return user.active and (intent_type in RECORDS[user.role] or intent_type in OWN)


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
