"""When a declaration emptied, and when it must be settled (55.8d)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from ledger.calendar import local_date
from ledger.lot import Lot
from ledger.registry import Declaration
from ledger.rulepacks import RulePack


def balance_at(lots: Iterable[Lot], moment: datetime) -> Decimal:
    """On-hand plus in-transit of every lot of a declaration at ``moment``."""
    total = Decimal(0)
    for lot in lots:
        facts = lot.facts_at(moment)
        if facts is not None:
            total += facts.balance
    return total


def emptied_at(lots: Iterable[Lot]) -> datetime | None:
    """The effective moment the declaration's last goods left, or None while any remain.

    Splits move quantity between lots of the same declaration, so only what leaves the
    declaration (ex-warehousing, liquidation) changes the total. An event that moves nothing
    in total (a move dispatched or received) is no step.
    """
    steps: list[tuple[datetime, Decimal]] = []
    for lot in lots:
        for entry in lot.active:
            delta = sum((posting.total for posting in entry.event.postings()), Decimal(0))
            if delta != 0:
                steps.append((entry.event.effective_at, delta))
    if not steps:
        return None
    steps.sort(key=lambda step: step[0])
    total = Decimal(0)
    emptied: datetime | None = None
    for index, (moment, delta) in enumerate(steps):
        total += delta
        last_at_moment = index + 1 == len(steps) or steps[index + 1][0] != moment
        if last_at_moment:
            emptied = moment if total == 0 else None
    return emptied


def settlement_due_on(declaration: Declaration, emptied: datetime, pack: RulePack) -> date:
    days = pack.settlement_days + declaration.settlement_extension_days
    return local_date(emptied) + timedelta(days=days)


def settlement_status(
    declaration: Declaration, emptied: datetime | None, day: date, pack: RulePack
) -> str:
    if declaration.settled_at is not None and local_date(declaration.settled_at) <= day:
        return "settled"
    if emptied is None or local_date(emptied) > day:
        return "open"
    if day > settlement_due_on(declaration, emptied, pack):
        return "settlement_overdue"
    return "awaiting_settlement"
