"""Storage clocks and deadlines (DOMAIN.md §4), as pure functions of a lot's facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from ledger.findings import due_soon_from, overdue_from
from ledger.registry import RentContract
from ledger.rulepacks import RulePack


class Dated(Protocol):
    """What a lot's clock depends on (``LotFacts`` has it; so has a read model's row)."""

    @property
    def registered_on(self) -> date: ...

    @property
    def first_warehoused_on(self) -> date: ...

    @property
    def extension_days(self) -> int: ...

    @property
    def declared_expires_on(self) -> date | None: ...


def first_warehousing_date(facts: Dated, pack: RulePack) -> date:
    """vn-2015 counts from the goods' arrival; vn-2010 from the declaration's registration."""
    if pack.first_warehousing_date == "registered_on":
        return facts.registered_on
    return facts.first_warehoused_on


def contract_expiry(facts: Dated, contract: RentContract | None, moment: datetime) -> date | None:
    """Box 2 of the declaration, moved by its contract's extensions; after a transfer or move,
    the expiry of the contract the lot is now stored under; None when no contract binds."""
    if facts.declared_expires_on is not None:
        extended = contract.extended_expiry_at(moment) if contract is not None else None
        return extended or facts.declared_expires_on
    if contract is None:
        return None
    return contract.expiry_at(moment)


def statutory_limit(facts: Dated, pack: RulePack) -> date:
    unextended = pack.storage_limit.after(first_warehousing_date(facts, pack))
    return unextended + timedelta(days=facts.extension_days)


def deadline(facts: Dated, pack: RulePack, contract: RentContract | None, moment: datetime) -> date:
    expiry = contract_expiry(facts, contract, moment)
    limit = statutory_limit(facts, pack)
    return limit if expiry is None else min(expiry, limit)


@dataclass(frozen=True)
class Clock:
    first_warehoused_on: date
    deadline: date
    days_in_storage: int
    days_left: int
    status: str  # closed, overdue, due_soon, ok

    @staticmethod
    def on(
        day: date, first_warehoused_on: date, due: date, due_soon_days: int, holds_goods: bool
    ) -> Clock:
        """The clock of a lot on ``day`` (effective), given its first date and deadline."""
        if not holds_goods:
            status = "closed"
        elif day >= overdue_from(due):
            status = "overdue"
        elif day >= due_soon_from(due, due_soon_days):
            status = "due_soon"
        else:
            status = "ok"
        days_in = (day - first_warehoused_on).days
        return Clock(first_warehoused_on, due, days_in, (due - day).days, status)
