"""Settling emptied declarations, and the one 15-day extension (55.8d)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ledger.decide.common import check_not_in_future
from ledger.errors import LedgerError, NotFound
from ledger.events import DeclarationSettled, Event, SettlementExtended
from ledger.lot import Lot
from ledger.registry import Declaration
from ledger.rulepacks import RulePack
from ledger.settlement import balance_at, emptied_at


def settle_declaration(
    declaration: Declaration | None, lots: Sequence[Lot], proposed: DeclarationSettled
) -> list[Event]:
    found = _emptied_declaration(declaration, lots, proposed)
    if found.settled_at is not None:
        raise LedgerError(
            "already_settled",
            f"declaration {found.declaration_no} was settled at {found.settled_at.isoformat()}",
            "declaration_no",
        )
    return [proposed]


def extend_settlement(
    declaration: Declaration | None,
    lots: Sequence[Lot],
    proposed: SettlementExtended,
    pack: RulePack,
) -> list[Event]:
    found = _emptied_declaration(declaration, lots, proposed)
    if found.settled_at is not None:
        raise LedgerError(
            "already_settled",
            f"declaration {found.declaration_no} is settled; there is nothing to extend",
            "declaration_no",
        )
    if found.settlement_extensions >= 1:
        raise LedgerError(
            "already_extended",
            f"declaration {found.declaration_no}'s settlement was already extended; the "
            "extension is granted once (55.8d)",
            "declaration_no",
        )
    return [replace(proposed, days=pack.settlement_extension_days)]


def _emptied_declaration(
    declaration: Declaration | None, lots: Sequence[Lot], proposed: Event
) -> Declaration:
    check_not_in_future(proposed)
    if declaration is None:
        raise NotFound(
            "unknown_declaration",
            f"declaration {getattr(proposed, 'declaration_no', '?')} has not been recorded",
            "declaration_no",
        )
    remaining = balance_at(lots, proposed.effective_at)
    if remaining > 0:
        raise LedgerError(
            "declaration_not_empty",
            f"declaration {declaration.declaration_no} still holds {remaining} (on hand or in "
            f"transit) at {proposed.effective_at.isoformat()}; it is settled only once every lot "
            "is empty",
            "declaration_no",
        )
    emptied = emptied_at(lots)
    if emptied is None or emptied > proposed.effective_at:
        raise LedgerError(
            "declaration_not_empty",
            f"declaration {declaration.declaration_no} is not empty at "
            f"{proposed.effective_at.isoformat()}",
            "declaration_no",
        )
    return declaration
