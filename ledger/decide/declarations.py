"""Settling emptied declarations, and the one 15-day extension (55.8d)."""

from __future__ import annotations

from datetime import datetime

from ledger.decide.common import check_not_in_future
from ledger.errors import LedgerError, unknown_declaration
from ledger.events import DeclarationSettled, SettlementExtended
from ledger.intents import Envelope, ExtendSettlement, SettleDeclaration
from ledger.recorded import Recorded
from ledger.registry import Declaration
from ledger.rulepacks import RulePack
from ledger.settlement import balance_at, emptied_at


def settle_declaration(
    intent: SettleDeclaration, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[DeclarationSettled]:
    found = _emptied_declaration(intent.declaration_no, intent.effective_at, envelope, recorded)
    if found.settled_at is not None:
        raise LedgerError(
            "already_settled",
            f"declaration {found.declaration_no} was settled at {found.settled_at.isoformat()}",
            "declaration_no",
        )
    return [envelope.event(DeclarationSettled, intent)]


def extend_settlement(
    intent: ExtendSettlement, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[SettlementExtended]:
    found = _emptied_declaration(intent.declaration_no, intent.effective_at, envelope, recorded)
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
    return [envelope.event(SettlementExtended, intent, days=pack.settlement_extension_days)]


def _emptied_declaration(
    declaration_no: str, effective_at: datetime, envelope: Envelope, recorded: Recorded
) -> Declaration:
    check_not_in_future(effective_at, envelope)
    declaration = recorded.declaration(declaration_no)
    if declaration is None:
        raise unknown_declaration(declaration_no)
    lots = recorded.lot_tree(declaration.lot_ids)
    remaining = balance_at(lots, effective_at)
    emptied = emptied_at(lots)
    if remaining > 0 or emptied is None or emptied > effective_at:
        held = (
            f"still holds {remaining} (on hand or in transit) at"
            if remaining
            else "is not empty at"
        )
        raise LedgerError(
            "declaration_not_empty",
            f"declaration {declaration.declaration_no} {held} {effective_at.isoformat()}; it "
            "is settled only once every lot is empty",
            "declaration_no",
        )
    return declaration
