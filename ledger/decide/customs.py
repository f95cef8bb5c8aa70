"""What the customs office decides about a lot: holds, storage extensions, liquidation."""

from __future__ import annotations

from datetime import timedelta

from ledger.calendar import local_date
from ledger.clock import deadline, first_warehousing_date
from ledger.decide.common import facts_when, record_on_lot
from ledger.errors import LedgerError
from ledger.events import HoldPlaced, HoldReleased, LotEvent, LotLiquidated, StorageExtended
from ledger.lot import Lot
from ledger.registry import RentContract
from ledger.rulepacks import RulePack


def extend_storage(lot: Lot, proposed: StorageExtended, pack: RulePack) -> list[LotEvent]:
    facts = facts_when(lot, proposed)
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
    extended = unextended + timedelta(days=proposed.days)
    if extended > furthest:
        raise LedgerError(
            "extension_too_long",
            f"{proposed.days} days would move the statutory limit from {unextended} to "
            f"{extended}, past {furthest}, the most {pack.name} allows",
            "days",
        )
    record_on_lot(lot, proposed)
    return [proposed]


def place_hold(lot: Lot, proposed: HoldPlaced) -> list[LotEvent]:
    facts_when(lot, proposed)
    record_on_lot(lot, proposed)
    return [proposed]


def release_hold(lot: Lot, proposed: HoldReleased) -> list[LotEvent]:
    facts_when(lot, proposed)
    record_on_lot(lot, proposed)
    return [proposed]


def liquidate_overdue(
    lot: Lot, contract: RentContract | None, proposed: LotLiquidated, pack: RulePack
) -> list[LotEvent]:
    facts = facts_when(lot, proposed)
    due = deadline(facts, pack, contract, proposed.effective_at)
    liquidable_from = due + timedelta(days=pack.liquidation_after_deadline_days + 1)
    day = local_date(proposed.effective_at)
    if day < liquidable_from:
        grace = pack.liquidation_after_deadline_days
        after = f"more than {grace} days past" if grace else "past"
        raise LedgerError(
            "not_overdue",
            f"lot {lot.lot_id}'s deadline is {due}; under {pack.name} it may be liquidated only "
            f"{after} it, from {liquidable_from} (55.7)",
            "effective_at",
        )
    record_on_lot(lot, proposed)
    return [proposed]
