"""What the customs office decides about a lot: holds, storage extensions, liquidation."""

from __future__ import annotations

from datetime import timedelta

from ledger.calendar import local_date
from ledger.clock import deadline, first_warehousing_date
from ledger.decide.common import facts_when, record_on_lot
from ledger.errors import LedgerError
from ledger.events import HoldPlaced, HoldReleased, LotEvent, LotLiquidated, StorageExtended
from ledger.intents import Envelope, ExtendStorage, LiquidateOverdue, PlaceHold, ReleaseHold
from ledger.recorded import Recorded
from ledger.rulepacks import RulePack


def extend_storage(
    intent: ExtendStorage, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[LotEvent]:
    lot = recorded.lot(intent.lot_id)
    facts = facts_when(lot, intent.effective_at, envelope)
    if facts.extensions_granted >= pack.extensions_allowed:
        raise LedgerError(
            "already_extended",
            f"lot {lot.lot_id}'s storage has already been extended by {facts.extension_days} "
            f"days; {pack.name} allows {pack.extensions_allowed} extension",
            "lot_id",
        )
    if facts.balance <= 0:
        raise LedgerError("lot_closed", f"lot {lot.lot_id} holds no goods to extend", "lot_id")
    unextended = pack.storage_limit.after(first_warehousing_date(facts, pack))
    furthest = pack.max_extension.after(unextended)
    extended = unextended + timedelta(days=intent.days)
    if extended > furthest:
        raise LedgerError(
            "extension_too_long",
            f"{intent.days} days would move the statutory limit from {unextended} to "
            f"{extended}, past {furthest}, the most {pack.name} allows",
            "days",
        )
    return record_on_lot(lot, envelope.event(StorageExtended, intent))


def change_hold(
    intent: PlaceHold | ReleaseHold, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[LotEvent]:
    """Places or releases a customs hold; the events themselves say when they may not."""
    lot = recorded.lot(intent.lot_id)
    facts_when(lot, intent.effective_at, envelope)
    kind = HoldPlaced if isinstance(intent, PlaceHold) else HoldReleased
    return record_on_lot(lot, envelope.event(kind, intent))


def liquidate_overdue(
    intent: LiquidateOverdue, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[LotEvent]:
    lot = recorded.lot(intent.lot_id)
    facts = facts_when(lot, intent.effective_at, envelope)
    contract = recorded.contract(facts.contract_no) if facts.contract_no else None
    due = deadline(facts, pack, contract, intent.effective_at)
    liquidable_from = due + timedelta(days=pack.liquidation_after_deadline_days + 1)
    if local_date(intent.effective_at) < liquidable_from:
        grace = pack.liquidation_after_deadline_days
        after = f"more than {grace} days past" if grace else "past"
        raise LedgerError(
            "not_overdue",
            f"lot {lot.lot_id}'s deadline is {due}; under {pack.name} it may be liquidated only "
            f"{after} it, from {liquidable_from} (55.7)",
            "effective_at",
        )
    return record_on_lot(lot, envelope.event(LotLiquidated, intent))
